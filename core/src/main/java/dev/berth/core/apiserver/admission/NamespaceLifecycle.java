package dev.berth.core.apiserver.admission;

import dev.berth.core.api.ApiException;
import dev.berth.core.apiserver.ResourceStorage;
import dev.berth.core.apiserver.cache.CachedObject;
import dev.berth.core.apiserver.registry.ResourceType;

import java.util.Set;

/**
 * Objects go only into namespaces that exist and are not being deleted; the system namespaces
 * cannot be deleted.
 */
public final class NamespaceLifecycle implements AdmissionPlugin {
    public static final Set<String> PROTECTED = Set.of("default", "kube-system", "kube-public");

    private final ResourceStorage storage;
    private final ResourceType namespaces;

    public NamespaceLifecycle(ResourceStorage storage, ResourceType namespaces) {
        this.storage = storage;
        this.namespaces = namespaces;
    }

    @Override
    public void validate(AdmissionRequest r) {
        if (r.operation() == AdmissionRequest.Operation.DELETE) {
            if (r.type().resource().equals("namespaces") && PROTECTED.contains(r.old().getMetadata().getName())) {
                throw ApiException.forbidden("namespaces \"" + r.old().getMetadata().getName()
                        + "\" is forbidden: this namespace may not be deleted");
            }
            return;
        }
        if (r.operation() != AdmissionRequest.Operation.CREATE || !r.type().namespaced()) {
            return;
        }
        String ns = r.namespace();
        // the cache almost always has the namespace already; only a miss pays for a fresh read
        CachedObject n = storage.cache().resource(namespaces.storage()).get(namespaces.key("", ns));
        if (n == null) {
            n = storage.find(namespaces, "", ns);
        }
        if (n == null) {
            throw ApiException.notFound("", "namespaces", ns);
        }
        if (n.fields().getOrDefault("status.phase", "").equals("Terminating")
                && !r.type().resource().equals("events")) {
            throw new ApiException(403, "Forbidden", r.type().resource() + " \"" + r.object().getMetadata().getName()
                    + "\" is forbidden: unable to create new content in namespace " + ns
                    + " because it is being terminated", r.type().group(), r.type().resource(),
                    r.object().getMetadata().getName(), null, null);
        }
    }
}
