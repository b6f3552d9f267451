package dev.berth.app.topology.compose;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/** Copies and conversions between the generic objects drafts hold and fabric8's typed model. */
final class Objects2 {
    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private Objects2() {}

    static GenericKubernetesResource copy(GenericKubernetesResource o) {
        return SERIALIZATION.convertValue(o, GenericKubernetesResource.class);
    }

    static <T extends HasMetadata> T typed(GenericKubernetesResource o, Class<T> type) {
        return SERIALIZATION.convertValue(o, type);
    }

    static GenericKubernetesResource generic(HasMetadata o) {
        GenericKubernetesResource g = SERIALIZATION.convertValue(o, GenericKubernetesResource.class);
        if (g.getApiVersion() == null) {
            g.setApiVersion(o.getApiVersion());
        }
        if (g.getKind() == null) {
            g.setKind(o.getKind());
        }
        return g;
    }
}
