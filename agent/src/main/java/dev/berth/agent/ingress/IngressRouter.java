package dev.berth.agent.ingress;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The proxy's router: the matching Ingress rule ({@link IngressRoutes}), then a ready endpoint of
 * its backend ({@link ServiceEndpoints}); 404 when no rule matches and no default backend exists,
 * 503 when the backend has no ready endpoint.
 */
public final class IngressRouter implements IngressProxy.Router {
    private final Supplier<IngressRoutes> routes;
    private final ServiceEndpoints endpoints;

    /** @param routes the routing table in use (asked at every request, so a rebuilt table applies at once) */
    public IngressRouter(Supplier<IngressRoutes> routes, ServiceEndpoints endpoints) {
        this.routes = Objects.requireNonNull(routes, "routes");
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    }

    @Override
    public IngressProxy.Decision route(String host, String path) {
        Optional<IngressRoutes.Match> match = routes.get().match(host, path);
        if (match.isEmpty()) {
            return new IngressProxy.Refuse(404, "no ingress rule matches host \"" + IngressRoutes.normalizeHost(host)
                    + "\" and path \"" + path + "\", and no ingress has a defaultBackend");
        }
        IngressRoutes.Backend backend = match.get().backend();
        return switch (endpoints.next(backend)) {
            case ServiceEndpoints.Target t -> new IngressProxy.Forward(t.address(),
                    "ingress " + backend.ingress() + ", " + t.service());
            case ServiceEndpoints.Unavailable u -> new IngressProxy.Refuse(503, u.message() + " (ingress "
                    + backend.ingress() + ")");
        };
    }
}
