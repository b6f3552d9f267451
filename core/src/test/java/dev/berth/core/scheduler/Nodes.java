package dev.berth.core.scheduler;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;

import java.util.Map;

/** Nodes and pods for scheduler tests. */
final class Nodes {
    private Nodes() {
    }

    static NodeBuilder node(String name, String cpu, String memory, int pods) {
        return new NodeBuilder()
                .withNewMetadata().withName(name).addToLabels("kubernetes.io/hostname", name).endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus()
                .withAllocatable(Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory),
                        "pods", new Quantity(String.valueOf(pods))))
                .withCapacity(Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory),
                        "pods", new Quantity(String.valueOf(pods))))
                .endStatus();
    }

    static Node node(String name) {
        return node(name, "4", "8Gi", 110).build();
    }

    static PodBuilder pod(String namespace, String name, String cpu, String memory) {
        PodBuilder b = new PodBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("registry.local/c:1")
                .withNewResources().endResources().endContainer().endSpec();
        if (cpu != null) {
            b.editSpec().editFirstContainer().editResources().addToRequests("cpu", new Quantity(cpu)).endResources()
                    .endContainer().endSpec();
        }
        if (memory != null) {
            b.editSpec().editFirstContainer().editResources().addToRequests("memory", new Quantity(memory)).endResources()
                    .endContainer().endSpec();
        }
        return b;
    }
}
