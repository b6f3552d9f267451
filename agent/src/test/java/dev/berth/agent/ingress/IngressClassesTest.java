package dev.berth.agent.ingress;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class IngressClassesTest {
    private static IngressClass ingressClass(String name, String controller, boolean isDefault) {
        return new IngressClassBuilder().withNewMetadata().withName(name)
                .addToAnnotations(isDefault ? java.util.Map.of(IngressClasses.DEFAULT_CLASS_ANNOTATION, "true") : java.util.Map.of())
                .endMetadata().withNewSpec().withController(controller).endSpec().build();
    }

    private static Ingress withClass(String className) {
        return new IngressBuilder().withNewMetadata().withNamespace("default").withName("web").endMetadata()
                .withNewSpec().withIngressClassName(className).endSpec().build();
    }

    @Test
    void servesItsClassByNameAlsoBeforeTheClassIsCached() {
        assertThat(IngressClasses.serves(withClass("berth"), List.of())).isTrue();
        assertThat(IngressClasses.serves(withClass("nginx"), List.of())).isFalse();
    }

    @Test
    void servesEveryClassOfItsControllerAndNoneOfAnother() {
        List<IngressClass> classes = List.of(ingressClass("lab", "berth.dev/ingress", false),
                ingressClass("nginx", "k8s.io/ingress-nginx", false), ingressClass("berth", "example.com/other", false));

        assertThat(IngressClasses.serves(withClass("lab"), classes)).isTrue();
        assertThat(IngressClasses.serves(withClass("nginx"), classes)).isFalse();
        // a class named berth that belongs to another controller is not ours
        assertThat(IngressClasses.serves(withClass("berth"), classes)).isFalse();
    }

    @Test
    void servesIngressesWithoutClassOnlyWhileItsClassIsTheDefault() {
        Ingress classless = withClass(null);

        assertThat(IngressClasses.serves(classless, List.of(ingressClass("berth", "berth.dev/ingress", true)))).isTrue();
        assertThat(IngressClasses.serves(classless, List.of(ingressClass("berth", "berth.dev/ingress", false)))).isFalse();
        assertThat(IngressClasses.serves(classless, List.of(ingressClass("nginx", "k8s.io/ingress-nginx", true)))).isFalse();
    }

    @Test
    void honoursTheDeprecatedClassAnnotation() {
        Ingress annotated = new IngressBuilder().withNewMetadata().withNamespace("default").withName("old")
                .addToAnnotations(IngressClasses.LEGACY_CLASS_ANNOTATION, "berth").endMetadata().withNewSpec().endSpec().build();
        Ingress other = new IngressBuilder(annotated).editMetadata()
                .addToAnnotations(IngressClasses.LEGACY_CLASS_ANNOTATION, "nginx").endMetadata().build();

        assertThat(IngressClasses.serves(annotated, List.of())).isTrue();
        assertThat(IngressClasses.serves(other, List.of(ingressClass("berth", "berth.dev/ingress", true)))).isFalse();
    }
}
