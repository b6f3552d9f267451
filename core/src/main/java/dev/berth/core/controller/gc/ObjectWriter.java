package dev.berth.core.controller.gc;

import dev.berth.core.controller.runtime.ApiResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The collector's writes. Metadata changes are read-modify-write (GET, then PUT with the
 * resourceVersion read, again on 409), so they work without PATCH; deletes carry a uid
 * precondition so that an object recreated under the same name is never hit.
 */
final class ObjectWriter {
    private static final int MAX_CONFLICT_RETRIES = 8;

    private final KubernetesClient client;

    ObjectWriter(KubernetesClient client) {
        this.client = client;
    }

    /** The live object, or null when it does not exist. */
    GenericKubernetesResource getLive(ApiResource r, String namespace, String name) {
        return resource(r, namespace, name).get();
    }

    /** Deletes the object if it still has this uid; true when it was there to delete. */
    boolean delete(ObjectRef ref, String propagationPolicy) {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("kind", "DeleteOptions");
        options.put("apiVersion", "v1");
        options.put("propagationPolicy", propagationPolicy);
        options.put("preconditions", Map.of("uid", ref.uid()));
        try {
            client.raw(ref.resource().path(ref.namespace(), ref.name()), "DELETE", options);
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404 || e.getCode() == 409) {
                return false; // gone, or replaced by a namesake
            }
            throw e;
        }
    }

    /** Removes the ownerReferences to {@code ownerUids}; false when the object is gone or had none of them. */
    boolean removeOwnerReferences(ObjectRef ref, Set<String> ownerUids) {
        return updateMetadata(ref, meta -> {
            List<OwnerReference> refs = meta.getOwnerReferences() == null ? List.of() : meta.getOwnerReferences();
            List<OwnerReference> kept = refs.stream().filter(o -> !ownerUids.contains(o.getUid())).toList();
            if (kept.size() == refs.size()) {
                return null;
            }
            meta.setOwnerReferences(new ArrayList<>(kept));
            return meta;
        });
    }

    /** Removes one finalizer; false when the object is gone or did not have it. */
    boolean removeFinalizer(ObjectRef ref, String finalizer) {
        return updateMetadata(ref, meta -> {
            List<String> finalizers = meta.getFinalizers() == null ? List.of() : meta.getFinalizers();
            if (!finalizers.contains(finalizer)) {
                return null;
            }
            meta.setFinalizers(new ArrayList<>(finalizers.stream().filter(f -> !f.equals(finalizer)).toList()));
            return meta;
        });
    }

    /** Applies {@code change} to a fresh copy of the metadata (null: nothing to do) and PUTs it, retrying on conflict. */
    private boolean updateMetadata(ObjectRef ref, UnaryOperator<ObjectMeta> change) {
        for (int attempt = 0; ; attempt++) {
            GenericKubernetesResource live = getLive(ref.resource(), ref.namespace(), ref.name());
            if (live == null || !ref.uid().equals(live.getMetadata().getUid())) {
                return false;
            }
            if (change.apply(live.getMetadata()) == null) {
                return false;
            }
            try {
                operation(ref.resource(), ref.namespace()).resource(live).update();
                return true;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return false;
                }
                if (e.getCode() != 409 || attempt >= MAX_CONFLICT_RETRIES) {
                    throw e;
                }
            }
        }
    }

    private Resource<GenericKubernetesResource> resource(ApiResource r, String namespace, String name) {
        return operation(r, namespace).withName(name);
    }

    private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<GenericKubernetesResource,
            io.fabric8.kubernetes.api.model.GenericKubernetesResourceList, Resource<GenericKubernetesResource>> operation(
            ApiResource r, String namespace) {
        MixedOperation<GenericKubernetesResource, io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
                Resource<GenericKubernetesResource>> op = client.genericKubernetesResources(r.context());
        return r.namespaced() ? op.inNamespace(namespace) : op;
    }
}
