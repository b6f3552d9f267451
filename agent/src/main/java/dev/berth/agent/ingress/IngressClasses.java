package dev.berth.agent.ingress;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;

import java.util.Collection;
import java.util.Map;

/**
 * Which Ingresses the built-in controller serves: those whose {@code spec.ingressClassName} names
 * an IngressClass of controller {@value #CONTROLLER} (the class {@value #NAME} counts also while
 * the IngressClass cache does not have it), those with the deprecated annotation
 * {@value #LEGACY_CLASS_ANNOTATION} naming such a class, and those with no class at all while one
 * of our IngressClasses is marked default with {@value #DEFAULT_CLASS_ANNOTATION}{@code ="true"}.
 */
public final class IngressClasses {
    /** The IngressClass the control plane creates. */
    public static final String NAME = "berth";
    /** The {@code spec.controller} of IngressClasses served by the built-in controller. */
    public static final String CONTROLLER = "berth.dev/ingress";
    public static final String DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";
    public static final String LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class";

    private IngressClasses() {
    }

    /** Whether the controller serves {@code ingress}, given the IngressClasses there are. */
    public static boolean serves(Ingress ingress, Collection<IngressClass> classes) {
        String className = ingress.getSpec() == null ? null : ingress.getSpec().getIngressClassName();
        if (className == null || className.isEmpty()) {
            Map<String, String> annotations = ingress.getMetadata().getAnnotations();
            className = annotations == null ? null : annotations.get(LEGACY_CLASS_ANNOTATION);
        }
        if (className != null && !className.isEmpty()) {
            String wanted = className;
            var named = classes.stream().filter(c -> wanted.equals(c.getMetadata().getName())).findFirst();
            return named.map(IngressClasses::ours).orElse(NAME.equals(wanted));
        }
        return classes.stream().anyMatch(c -> ours(c) && isDefault(c));
    }

    static boolean ours(IngressClass c) {
        return c.getSpec() != null && CONTROLLER.equals(c.getSpec().getController());
    }

    static boolean isDefault(IngressClass c) {
        Map<String, String> annotations = c.getMetadata().getAnnotations();
        return annotations != null && "true".equals(annotations.get(DEFAULT_CLASS_ANNOTATION));
    }
}
