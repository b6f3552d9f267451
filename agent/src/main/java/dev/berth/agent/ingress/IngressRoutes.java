package dev.berth.agent.ingress;

import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The routing table of the ingress controller, made from the Ingresses it serves: which backend a
 * request for a host and a path goes to, as networking.k8s.io/v1 defines it.
 *
 * <ul>
 *   <li>Hosts: a precise host matches the Host header (port removed, case ignored); a wildcard
 *       {@code *.example.com} matches exactly one more label ({@code a.example.com}, neither
 *       {@code example.com} nor {@code b.a.example.com}); a rule without host matches every host.
 *       Precise hosts are tried first, then wildcards, then rules without host.</li>
 *   <li>Paths: {@code Exact} matches the path as is (case-sensitive); {@code Prefix} matches
 *       element by element after splitting on {@code /}, so {@code /foo} matches {@code /foo},
 *       {@code /foo/} and {@code /foo/bar} but not {@code /foobar}, and a trailing slash of the
 *       rule is ignored; {@code ImplementationSpecific} is treated as {@code Prefix}. The longest
 *       matching path wins, and {@code Exact} wins over {@code Prefix} of the same length.</li>
 *   <li>No rule matches: the {@code defaultBackend} of an Ingress with a rule for the request's
 *       host, else that of the oldest Ingress having one, else nothing (404).</li>
 * </ul>
 * Between Ingresses with the same host and path the oldest one wins, as in ingress-nginx.
 */
public final class IngressRoutes {
    /** The routes of no Ingress: every request is unmatched. */
    public static final IngressRoutes EMPTY = of(List.of());

    /**
     * Where a request goes: a Service port of the Ingress's namespace, or a backend this controller
     * cannot serve ({@code unsupported} says why).
     *
     * @param ingress     the Ingress ({@code namespace/name}) the route comes from
     * @param namespace   the namespace of the Ingress and of its Service
     * @param service     the Service's name, or null for an unsupported backend
     * @param portNumber  the Service port by number, or null
     * @param portName    the Service port by name, or null
     * @param unsupported why the backend cannot be served, or null
     */
    public record Backend(String ingress, String namespace, String service, Integer portNumber, String portName,
                          String unsupported) {
        /** The Service port as written in the Ingress: its number or its name. */
        public String port() {
            return portNumber != null ? portNumber.toString() : portName;
        }
    }

    /** What a request matched: the backend and the rule's path ("" for a default backend). */
    public record Match(Backend backend, String path, String pathType) {
    }

    private enum PathKind { EXACT, PREFIX }

    private record PathRule(PathKind kind, String path, List<String> segments, int weight, Backend backend, int order) {
        boolean matches(String requestPath, List<String> requestSegments) {
            if (kind == PathKind.EXACT) return path.equals(requestPath);
            if (requestSegments.size() < segments.size()) return false;
            for (int i = 0; i < segments.size(); i++) {
                if (!segments.get(i).equals(requestSegments.get(i))) return false;
            }
            return true;
        }
    }

    private static final Comparator<PathRule> PRECEDENCE = Comparator.comparingInt(PathRule::weight).reversed()
            .thenComparing(r -> r.kind() == PathKind.EXACT ? 0 : 1)
            .thenComparingInt(PathRule::order);

    private record HostGroup(List<PathRule> paths, List<Backend> defaults) {
    }

    private final Map<String, HostGroup> exact;
    private final Map<String, HostGroup> wildcard;
    private final HostGroup any;
    private final Optional<Backend> fallback;
    private final int ingressCount;

    private IngressRoutes(Map<String, HostGroup> exact, Map<String, HostGroup> wildcard, HostGroup any,
                          Optional<Backend> fallback, int ingressCount) {
        this.exact = exact;
        this.wildcard = wildcard;
        this.any = any;
        this.fallback = fallback;
        this.ingressCount = ingressCount;
    }

    /** The table of {@code ingresses}; their order does not matter (the oldest wins ties). */
    public static IngressRoutes of(List<Ingress> ingresses) {
        List<Ingress> sorted = new ArrayList<>(ingresses);
        sorted.sort(Comparator.comparing((Ingress i) -> nullToEmpty(i.getMetadata().getCreationTimestamp()))
                .thenComparing(i -> nullToEmpty(i.getMetadata().getNamespace()))
                .thenComparing(i -> nullToEmpty(i.getMetadata().getName())));
        Map<String, HostGroup> exact = new LinkedHashMap<>();
        Map<String, HostGroup> wildcard = new LinkedHashMap<>();
        HostGroup any = new HostGroup(new ArrayList<>(), new ArrayList<>());
        Backend fallback = null;
        int order = 0;
        for (Ingress ing : sorted) {
            String ns = ing.getMetadata().getNamespace();
            String key = ns + "/" + ing.getMetadata().getName();
            if (ing.getSpec() == null) continue;
            Backend defaultBackend = ing.getSpec().getDefaultBackend() == null ? null
                    : backend(key, ns, ing.getSpec().getDefaultBackend());
            if (fallback == null && defaultBackend != null) fallback = defaultBackend;
            List<IngressRule> rules = ing.getSpec().getRules() == null ? List.of() : ing.getSpec().getRules();
            for (IngressRule rule : rules) {
                String host = rule.getHost() == null ? "" : rule.getHost().toLowerCase(Locale.ROOT);
                HostGroup group;
                if (host.isEmpty()) {
                    group = any;
                } else if (host.startsWith("*.")) {
                    group = wildcard.computeIfAbsent(host.substring(1), h -> new HostGroup(new ArrayList<>(), new ArrayList<>()));
                } else {
                    group = exact.computeIfAbsent(host, h -> new HostGroup(new ArrayList<>(), new ArrayList<>()));
                }
                if (defaultBackend != null && group != any && !group.defaults().contains(defaultBackend)) {
                    group.defaults().add(defaultBackend);
                }
                if (rule.getHttp() == null || rule.getHttp().getPaths() == null) continue;
                for (HTTPIngressPath p : rule.getHttp().getPaths()) {
                    if (p.getBackend() == null) continue;
                    String path = p.getPath() == null || p.getPath().isEmpty() ? "/" : p.getPath();
                    PathKind kind = "Exact".equals(p.getPathType()) ? PathKind.EXACT : PathKind.PREFIX;
                    List<String> segments = segments(path);
                    int weight = kind == PathKind.EXACT ? path.length() : String.join("/", segments).length()
                            + (segments.isEmpty() ? 0 : 1);
                    group.paths().add(new PathRule(kind, path, segments, weight, backend(key, ns, p.getBackend()), order++));
                }
            }
        }
        for (HostGroup g : exact.values()) g.paths().sort(PRECEDENCE);
        for (HostGroup g : wildcard.values()) g.paths().sort(PRECEDENCE);
        any.paths().sort(PRECEDENCE);
        return new IngressRoutes(Map.copyOf(exact), Map.copyOf(wildcard), any, Optional.ofNullable(fallback),
                sorted.size());
    }

    /** How many Ingresses the table was made from. */
    public int ingressCount() {
        return ingressCount;
    }

    /**
     * The backend for a request.
     *
     * @param hostHeader the Host header as sent (may carry a port; null or empty when absent)
     * @param path       the request path, without query
     */
    public Optional<Match> match(String hostHeader, String path) {
        String host = normalizeHost(hostHeader);
        String requestPath = path == null || path.isEmpty() ? "/" : path;
        List<String> requestSegments = segments(requestPath);
        List<HostGroup> groups = new ArrayList<>(3);
        HostGroup precise = host.isEmpty() ? null : exact.get(host);
        if (precise != null) groups.add(precise);
        int dot = host.indexOf('.');
        if (dot > 0) {
            HostGroup wild = wildcard.get(host.substring(dot));
            if (wild != null) groups.add(wild);
        }
        groups.add(any);
        for (HostGroup group : groups) {
            for (PathRule rule : group.paths()) {
                if (rule.matches(requestPath, requestSegments)) {
                    return Optional.of(new Match(rule.backend(), rule.path(),
                            rule.kind() == PathKind.EXACT ? "Exact" : "Prefix"));
                }
            }
        }
        for (HostGroup group : groups) {
            if (!group.defaults().isEmpty()) return Optional.of(new Match(group.defaults().getFirst(), "", "default"));
        }
        return fallback.map(b -> new Match(b, "", "default"));
    }

    /** The Host header's name: lowercased, without port and trailing dot; "" when absent. */
    static String normalizeHost(String hostHeader) {
        if (hostHeader == null) return "";
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end > 0 ? h.substring(0, end + 1) : h;
        }
        int colon = h.indexOf(':');
        if (colon >= 0) h = h.substring(0, colon);
        if (h.endsWith(".")) h = h.substring(0, h.length() - 1);
        return h;
    }

    private static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) out.add(s);
        }
        return out;
    }

    private static Backend backend(String ingressKey, String namespace, IngressBackend b) {
        if (b.getService() != null) {
            var port = b.getService().getPort();
            Integer number = port == null || port.getNumber() == null || port.getNumber() == 0 ? null : port.getNumber();
            String name = port == null || port.getName() == null || port.getName().isEmpty() ? null : port.getName();
            return new Backend(ingressKey, namespace, b.getService().getName(), number, name, null);
        }
        String kind = b.getResource() == null ? "none" : b.getResource().getKind();
        return new Backend(ingressKey, namespace, null, null, null,
                "resource backends (" + kind + ") are not supported by the berth ingress controller");
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
