package dev.berth.app.topology.compose;

import dev.berth.core.api.FieldError;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPathBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressRuleValue;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An edge drawn from an Ingress to a Service: a rule sending {@code /} (pathType Prefix) on the
 * host given (any host when none) to the Service's first port. A host that already has a rule
 * gets the path added to it; a host whose {@code /} already goes somewhere is refused.
 */
public final class ConnectIngress implements Command<Void> {
    private final DraftKey ingress;
    private final DraftKey service;
    private final String host;

    /** @param host the rule's host, or null/blank for every host */
    public ConnectIngress(DraftKey ingress, DraftKey service, String host) {
        this.ingress = ingress;
        this.service = service;
        this.host = host == null || host.isBlank() ? null : host.strip();
    }

    @Override
    public String name() {
        return "Route " + ingress.shortName() + " to " + service.shortName();
    }

    @Override
    public Void execute(DraftSet drafts) {
        if (!ingress.kind().equals("Ingress")) {
            throw new CompositionException(ingress, FieldError.notSupported("kind", ingress.kind(), List.of("Ingress")));
        }
        if (!service.kind().equals("Service")) {
            throw new CompositionException(service, FieldError.notSupported("kind", service.kind(), List.of("Service")));
        }
        if (!service.namespace().equals(ingress.namespace())) {
            throw new CompositionException(ingress, FieldError.invalid("metadata.namespace", ingress.namespace(),
                    "an Ingress routes to Services of its own namespace only; " + service.shortName() + " is in "
                            + service.namespace()));
        }
        Ingress ing = Objects2.typed(drafts.require(ingress), Ingress.class);
        Service svc = Objects2.typed(drafts.require(service), Service.class);
        List<ServicePort> ports = svc.getSpec() == null ? null : svc.getSpec().getPorts();
        if (ports == null || ports.isEmpty()) {
            throw new CompositionException(service, FieldError.required("spec.ports",
                    "Service \"" + service.name() + "\" has no ports: an Ingress backend needs one"));
        }
        HTTPIngressPath path = new HTTPIngressPathBuilder().withPath("/").withPathType("Prefix")
                .withNewBackend().withNewService().withName(service.name())
                .withNewPort().withNumber(ports.getFirst().getPort()).endPort()
                .endService().endBackend().build();
        if (ing.getSpec() == null) ing.setSpec(new IngressSpec());
        if (ing.getSpec().getRules() == null) ing.getSpec().setRules(new ArrayList<>());
        List<IngressRule> rules = ing.getSpec().getRules();
        IngressRule rule = null;
        for (int i = 0; i < rules.size(); i++) {
            IngressRule r = rules.get(i);
            if (Objects.equals(blankToNull(r.getHost()), host)) {
                rule = r;
                List<HTTPIngressPath> paths = r.getHttp() == null ? List.of() : r.getHttp().getPaths();
                for (int j = 0; j < paths.size(); j++) {
                    if ("/".equals(paths.get(j).getPath())) {
                        throw new CompositionException(ingress, FieldError.duplicate(
                                "spec.rules[" + i + "].http.paths[" + j + "].path", "/"));
                    }
                }
            }
        }
        if (rule == null) {
            rule = new IngressRule(host, new HTTPIngressRuleValue(new ArrayList<>()));
            rules.add(rule);
        }
        if (rule.getHttp() == null) rule.setHttp(new HTTPIngressRuleValue(new ArrayList<>()));
        if (rule.getHttp().getPaths() == null) rule.getHttp().setPaths(new ArrayList<>());
        rule.getHttp().getPaths().add(path);
        Checks.fields(ing, "spec.rules");
        drafts.put(Objects2.generic(ing));
        return null;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
