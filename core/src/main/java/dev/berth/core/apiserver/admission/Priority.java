package dev.berth.core.apiserver.admission;

import dev.berth.core.api.ApiException;
import dev.berth.core.apiserver.ResourceStorage;
import dev.berth.core.apiserver.cache.CachedObject;
import dev.berth.core.apiserver.registry.ResourceType;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * Kubernetes' Priority admission: a pod's priorityClassName must name an existing PriorityClass,
 * whose value (and preemption policy) the pod then carries; no class means the global default.
 */
public final class Priority implements AdmissionPlugin {
    private final ResourceStorage storage;
    private final ResourceType priorityClasses;

    public Priority(ResourceStorage storage, ResourceType priorityClasses) {
        this.storage = storage;
        this.priorityClasses = priorityClasses;
    }

    @Override
    public void mutate(AdmissionRequest r) {
        if (!(r.object() instanceof Pod pod) || r.operation() != AdmissionRequest.Operation.CREATE || pod.getSpec() == null) {
            return;
        }
        String name = pod.getSpec().getPriorityClassName();
        if (name == null || name.isEmpty()) {
            CachedObject global = storage.cache().resource(priorityClasses.storage()).list(priorityClasses.keyPrefix())
                    .stream().filter(o -> o.tree().path("globalDefault").asBoolean(false)).findFirst().orElse(null);
            if (global != null) {
                pod.getSpec().setPriorityClassName(global.name());
                apply(pod, global);
            } else if (pod.getSpec().getPriority() == null) {
                pod.getSpec().setPriority(0);
            }
            return;
        }
        CachedObject pc = storage.find(priorityClasses, "", name);
        if (pc == null) {
            throw ApiException.forbidden("pods \"" + pod.getMetadata().getName()
                    + "\" is forbidden: no PriorityClass with name " + name + " was found");
        }
        apply(pod, pc);
    }

    private static void apply(Pod pod, CachedObject pc) {
        var tree = pc.tree();
        int value = tree.path("value").asInt(0);
        if (pod.getSpec().getPriority() != null && pod.getSpec().getPriority() != value) {
            throw ApiException.forbidden("pods \"" + pod.getMetadata().getName()
                    + "\" is forbidden: the integer value of priority (" + pod.getSpec().getPriority()
                    + ") must not be provided in pod spec; priority admission controller computed " + value
                    + " from the given PriorityClass name");
        }
        pod.getSpec().setPriority(value);
        if (pod.getSpec().getPreemptionPolicy() == null) {
            pod.getSpec().setPreemptionPolicy(tree.path("preemptionPolicy").asText("PreemptLowerPriority"));
        }
    }
}
