package dev.berth.core.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.apiserver.ResourceStorage;
import dev.berth.core.apiserver.cache.CachedObject;
import dev.berth.core.apiserver.registry.ResourceType;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;

import java.util.Comparator;
import java.util.Map;

/**
 * Kubernetes' DefaultStorageClass admission: a claim created without {@code spec.storageClassName}
 * (null, not "", which asks for no class) gets the default class, the newest of those annotated
 * {@code storageclass.kubernetes.io/is-default-class: "true"}. No default class: left as it is.
 */
public final class DefaultStorageClass implements AdmissionPlugin {
    static final String IS_DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class";
    static final String BETA_IS_DEFAULT_CLASS = "storageclass.beta.kubernetes.io/is-default-class";
    static final String BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class";

    private final ResourceStorage storage;
    private final ResourceType storageClasses;

    public DefaultStorageClass(ResourceStorage storage, ResourceType storageClasses) {
        this.storage = storage;
        this.storageClasses = storageClasses;
    }

    @Override
    public void mutate(AdmissionRequest r) {
        if (!(r.object() instanceof PersistentVolumeClaim pvc) || r.operation() != AdmissionRequest.Operation.CREATE
                || (r.subresource() != null && !r.subresource().isEmpty()) || pvc.getSpec() == null) {
            return;
        }
        if (pvc.getSpec().getStorageClassName() != null) {
            return;
        }
        Map<String, String> annotations = pvc.getMetadata().getAnnotations();
        if (annotations != null && annotations.containsKey(BETA_STORAGE_CLASS)) {
            return;
        }
        storage.cache().resource(storageClasses.storage()).list(storageClasses.keyPrefix()).stream()
                .filter(DefaultStorageClass::isDefault)
                .min(Comparator.comparing((CachedObject o) -> o.tree().path("metadata").path("creationTimestamp").asText(""))
                        .reversed()
                        .thenComparing(CachedObject::name))
                .ifPresent(def -> pvc.getSpec().setStorageClassName(def.name()));
    }

    private static boolean isDefault(CachedObject sc) {
        JsonNode a = sc.tree().path("metadata").path("annotations");
        return "true".equals(a.path(IS_DEFAULT_CLASS).asText(null)) || "true".equals(a.path(BETA_IS_DEFAULT_CLASS).asText(null));
    }
}
