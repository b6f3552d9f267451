package dev.berth.core.api.patch;

import dev.berth.core.api.patch.PatchSchema.ListRule;
import io.fabric8.kubernetes.api.model.ComponentStatus;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.NamespaceStatus;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatus;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.ReplicationControllerStatus;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.ServiceStatus;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionStatus;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import io.fabric8.kubernetes.api.model.storage.CSINodeSpec;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The lists that are not atomic, transcribed from the {@code patchStrategy}, {@code patchMergeKey},
 * {@code listType} and {@code listMapKey} tags of k8s.io/api 1.32 for core/v1, apps/v1, batch/v1,
 * autoscaling/v2, policy/v1, storage/v1 and apiextensions/v1. Every list not named here is atomic:
 * strategic merge replaces it and apply owns it whole (tolerations, args, command, envFrom,
 * NetworkPolicy and RBAC rules, EndpointSlice endpoints, ...). Types nested in several kinds
 * (PodSpec inside every workload template) are listed once, by the class that declares the field.
 */
final class StrategyTable {
    private static final Map<Class<?>, Map<String, ListRule>> RULES = new HashMap<>();

    /** Ports are keyed by port and protocol for apply; the protocol defaults to TCP. */
    private static final Map<String, String> TCP = Map.of("protocol", "TCP");

    static {
        // metadata
        put(ObjectMeta.class, "finalizers", ListRule.set());
        put(ObjectMeta.class, "ownerReferences", ListRule.mergeBy("uid"));

        // pods
        for (Class<?> c : new Class<?>[]{Container.class, EphemeralContainer.class}) {
            put(c, "ports", ListRule.mergeBy("containerPort").withApplyKeys(TCP, "containerPort", "protocol"));
            put(c, "env", ListRule.mergeBy("name"));
            put(c, "volumeMounts", ListRule.mergeBy("mountPath"));
            put(c, "volumeDevices", ListRule.mergeBy("devicePath"));
        }
        put(PodSpec.class, "volumes", ListRule.mergeBy("name"));
        put(PodSpec.class, "initContainers", ListRule.mergeBy("name"));
        put(PodSpec.class, "containers", ListRule.mergeBy("name"));
        put(PodSpec.class, "ephemeralContainers", ListRule.mergeBy("name"));
        put(PodSpec.class, "imagePullSecrets", ListRule.mergeBy("name"));
        put(PodSpec.class, "hostAliases", ListRule.mergeBy("ip"));
        put(PodSpec.class, "topologySpreadConstraints",
                ListRule.mergeBy("topologyKey").withApplyKeys(Map.of(), "topologyKey", "whenUnsatisfiable"));
        put(PodSpec.class, "resourceClaims", ListRule.mergeBy("name"));
        put(PodSpec.class, "schedulingGates", ListRule.mergeBy("name"));
        put(ResourceRequirements.class, "claims", ListRule.applyMap("name"));
        put(PodStatus.class, "conditions", ListRule.mergeBy("type"));
        put(PodStatus.class, "podIPs", ListRule.mergeBy("ip"));
        put(PodStatus.class, "hostIPs", ListRule.mergeBy("ip"));
        put(PodStatus.class, "resourceClaimStatuses", ListRule.mergeBy("name"));

        // services, accounts, nodes, namespaces, volumes
        put(ServiceSpec.class, "ports", ListRule.mergeBy("port").withApplyKeys(TCP, "port", "protocol"));
        put(ServiceStatus.class, "conditions", ListRule.mergeBy("type"));
        put(ServiceAccount.class, "secrets", ListRule.mergeBy("name"));
        put(NodeSpec.class, "podCIDRs", ListRule.set());
        // addresses merge by type for strategic patches but are atomic for apply (duplicates occur)
        put(NodeStatus.class, "addresses", ListRule.mergeBy("type").applyAtomic());
        put(NodeStatus.class, "conditions", ListRule.mergeBy("type"));
        put(NamespaceStatus.class, "conditions", ListRule.mergeBy("type"));
        put(PersistentVolumeClaimStatus.class, "conditions", ListRule.mergeBy("type"));
        put(ReplicationControllerStatus.class, "conditions", ListRule.mergeBy("type"));
        put(ComponentStatus.class, "conditions", ListRule.mergeBy("type"));

        // workloads
        put(DeploymentStatus.class, "conditions", ListRule.mergeBy("type"));
        put(ReplicaSetStatus.class, "conditions", ListRule.mergeBy("type"));
        put(StatefulSetStatus.class, "conditions", ListRule.mergeBy("type"));
        put(DaemonSetStatus.class, "conditions", ListRule.mergeBy("type"));
        put(JobStatus.class, "conditions", ListRule.mergeBy("type").applyAtomic());
        put(HorizontalPodAutoscalerStatus.class, "conditions", ListRule.mergeBy("type"));
        put(PodDisruptionBudgetStatus.class, "conditions", ListRule.mergeBy("type"));

        // storage, apiextensions
        put(CSINodeSpec.class, "drivers", ListRule.mergeBy("name"));
        put(CustomResourceDefinitionStatus.class, "conditions", ListRule.applyMap("type"));
    }

    /**
     * Structs tagged {@code +structType=atomic}: apply owns them whole ({@code f:selector: {}}),
     * strategic merge still merges them key by key as it knows no such tag.
     */
    private static final Set<Class<?>> ATOMIC_STRUCTS = Set.of(
            io.fabric8.kubernetes.api.model.LabelSelector.class,
            io.fabric8.kubernetes.api.model.LocalObjectReference.class,
            io.fabric8.kubernetes.api.model.ObjectReference.class,
            io.fabric8.kubernetes.api.model.NodeSelector.class,
            io.fabric8.kubernetes.api.model.NodeSelectorTerm.class,
            io.fabric8.kubernetes.api.model.TopologySelectorTerm.class,
            io.fabric8.kubernetes.api.model.ConfigMapKeySelector.class,
            io.fabric8.kubernetes.api.model.SecretKeySelector.class,
            io.fabric8.kubernetes.api.model.ObjectFieldSelector.class,
            io.fabric8.kubernetes.api.model.ResourceFieldSelector.class,
            io.fabric8.kubernetes.api.model.TypedLocalObjectReference.class);

    private StrategyTable() {
    }

    static boolean isAtomicStruct(Class<?> type) {
        return ATOMIC_STRUCTS.contains(type);
    }

    private static void put(Class<?> type, String property, ListRule rule) {
        RULES.computeIfAbsent(type, t -> new HashMap<>()).put(property, rule);
    }

    /** The rule for {@code property} of {@code type}, or null when the list there is atomic. */
    static ListRule rule(Class<?> type, String property) {
        Map<String, ListRule> byProperty = RULES.get(type);
        return byProperty == null ? null : byProperty.get(property);
    }
}
