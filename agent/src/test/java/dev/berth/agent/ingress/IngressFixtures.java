package dev.berth.agent.ingress;

import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPathBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackendBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRuleBuilder;

import java.util.List;

/** Builders of Ingresses for the tests. */
final class IngressFixtures {
    private IngressFixtures() {
    }

    static IngressBackend service(String name, int port) {
        return new IngressBackendBuilder().withNewService().withName(name).withNewPort().withNumber(port).endPort()
                .endService().build();
    }

    static IngressBackend service(String name, String port) {
        return new IngressBackendBuilder().withNewService().withName(name).withNewPort().withName(port).endPort()
                .endService().build();
    }

    static HTTPIngressPath path(String type, String path, IngressBackend backend) {
        return new HTTPIngressPathBuilder().withPathType(type).withPath(path).withBackend(backend).build();
    }

    static IngressRule rule(String host, HTTPIngressPath... paths) {
        return new IngressRuleBuilder().withHost(host).withNewHttp().withPaths(paths).endHttp().build();
    }

    static Ingress ingress(String ns, String name, String created, IngressBackend defaultBackend, IngressRule... rules) {
        return new IngressBuilder().withNewMetadata().withNamespace(ns).withName(name).withCreationTimestamp(created)
                .endMetadata().withNewSpec().withIngressClassName("berth").withDefaultBackend(defaultBackend)
                .withRules(List.of(rules)).endSpec().build();
    }
}
