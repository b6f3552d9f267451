package dev.berth.app.explorer;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NamespaceChoiceTest {
    private static GenericKubernetesResource ns(String name) {
        return new GenericKubernetesResourceBuilder().withApiVersion("v1").withKind("Namespace")
                .withNewMetadata().withName(name).endMetadata().build();
    }

    @Test
    void allNamespacesComesFirstThenTheNamesSortedOnce() {
        assertThat(NamespaceChoice.items(List.of(ns("shop"), ns("default"), ns("kube-system"), ns("shop"))))
                .containsExactly("All namespaces", "default", "kube-system", "shop");
        assertThat(NamespaceChoice.items(List.of())).containsExactly("All namespaces");
    }
}
