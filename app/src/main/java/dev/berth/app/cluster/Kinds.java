package dev.berth.app.cluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The built-in kinds by explorer section, and the kinds that custom resource definitions add. */
public final class Kinds {
    public static final String WORKLOADS = "Workloads";
    public static final String NETWORK = "Network";
    public static final String CONFIG = "Config";
    public static final String STORAGE = "Storage";
    public static final String NODES = "Cluster";
    public static final String ACCESS = "Access";
    public static final String EVENTS = "Events";
    public static final String CUSTOM = "Custom Resources";

    public static final ResourceKind DEPLOYMENT = new ResourceKind(WORKLOADS, "Deployment", "apps", "v1", "deployments", true);
    public static final ResourceKind STATEFUL_SET = new ResourceKind(WORKLOADS, "StatefulSet", "apps", "v1", "statefulsets", true);
    public static final ResourceKind DAEMON_SET = new ResourceKind(WORKLOADS, "DaemonSet", "apps", "v1", "daemonsets", true);
    public static final ResourceKind REPLICA_SET = new ResourceKind(WORKLOADS, "ReplicaSet", "apps", "v1", "replicasets", true);
    public static final ResourceKind POD = new ResourceKind(WORKLOADS, "Pod", "", "v1", "pods", true);
    public static final ResourceKind JOB = new ResourceKind(WORKLOADS, "Job", "batch", "v1", "jobs", true);
    public static final ResourceKind CRON_JOB = new ResourceKind(WORKLOADS, "CronJob", "batch", "v1", "cronjobs", true);
    public static final ResourceKind SERVICE = new ResourceKind(NETWORK, "Service", "", "v1", "services", true);
    public static final ResourceKind ENDPOINTS = new ResourceKind(NETWORK, "Endpoints", "", "v1", "endpoints", true);
    public static final ResourceKind INGRESS = new ResourceKind(NETWORK, "Ingress", "networking.k8s.io", "v1", "ingresses", true);
    public static final ResourceKind NETWORK_POLICY = new ResourceKind(NETWORK, "NetworkPolicy", "networking.k8s.io", "v1", "networkpolicies", true);
    public static final ResourceKind CONFIG_MAP = new ResourceKind(CONFIG, "ConfigMap", "", "v1", "configmaps", true);
    public static final ResourceKind SECRET = new ResourceKind(CONFIG, "Secret", "", "v1", "secrets", true);
    public static final ResourceKind HPA = new ResourceKind(CONFIG, "HorizontalPodAutoscaler", "autoscaling", "v2", "horizontalpodautoscalers", true);
    public static final ResourceKind PVC = new ResourceKind(STORAGE, "PersistentVolumeClaim", "", "v1", "persistentvolumeclaims", true);
    public static final ResourceKind PV = new ResourceKind(STORAGE, "PersistentVolume", "", "v1", "persistentvolumes", false);
    public static final ResourceKind STORAGE_CLASS = new ResourceKind(STORAGE, "StorageClass", "storage.k8s.io", "v1", "storageclasses", false);
    public static final ResourceKind NODE = new ResourceKind(NODES, "Node", "", "v1", "nodes", false);
    public static final ResourceKind NAMESPACE = new ResourceKind(NODES, "Namespace", "", "v1", "namespaces", false);
    public static final ResourceKind SERVICE_ACCOUNT = new ResourceKind(ACCESS, "ServiceAccount", "", "v1", "serviceaccounts", true);
    public static final ResourceKind ROLE = new ResourceKind(ACCESS, "Role", "rbac.authorization.k8s.io", "v1", "roles", true);
    public static final ResourceKind CLUSTER_ROLE = new ResourceKind(ACCESS, "ClusterRole", "rbac.authorization.k8s.io", "v1", "clusterroles", false);
    public static final ResourceKind ROLE_BINDING = new ResourceKind(ACCESS, "RoleBinding", "rbac.authorization.k8s.io", "v1", "rolebindings", true);
    public static final ResourceKind CLUSTER_ROLE_BINDING = new ResourceKind(ACCESS, "ClusterRoleBinding", "rbac.authorization.k8s.io", "v1", "clusterrolebindings", false);
    public static final ResourceKind EVENT = new ResourceKind(EVENTS, "Event", "", "v1", "events", true);
    public static final ResourceKind CRD = new ResourceKind(CUSTOM, "CustomResourceDefinition", "apiextensions.k8s.io", "v1", "customresourcedefinitions", false);

    private static final List<ResourceKind> BUILT_IN = List.of(DEPLOYMENT, STATEFUL_SET, DAEMON_SET, REPLICA_SET, POD, JOB,
            CRON_JOB, SERVICE, ENDPOINTS, INGRESS, NETWORK_POLICY, CONFIG_MAP, SECRET, HPA, PVC, PV, STORAGE_CLASS, NODE,
            NAMESPACE, SERVICE_ACCOUNT, ROLE, CLUSTER_ROLE, ROLE_BINDING, CLUSTER_ROLE_BINDING, EVENT, CRD);

    private Kinds() {}

    public static List<ResourceKind> builtIn() {
        return BUILT_IN;
    }

    /** The built-in kinds by section, in the explorer's order. */
    public static Map<String, List<ResourceKind>> bySection() {
        Map<String, List<ResourceKind>> out = new LinkedHashMap<>();
        for (ResourceKind k : BUILT_IN) {
            out.computeIfAbsent(k.section(), s -> new ArrayList<>()).add(k);
        }
        return out;
    }

    public static Optional<ResourceKind> byKind(String apiVersion, String kind) {
        return BUILT_IN.stream().filter(k -> k.kind().equals(kind) && k.apiVersion().equals(apiVersion)).findFirst();
    }

    public static Optional<ResourceKind> byKind(String kind) {
        return BUILT_IN.stream().filter(k -> k.kind().equals(kind)).findFirst();
    }

    /** The kind that a CustomResourceDefinition serves (its storage version), in the custom resources section. */
    public static Optional<ResourceKind> fromCrd(GenericKubernetesResource crd) {
        String group = crd.get("spec", "group");
        String plural = crd.get("spec", "names", "plural");
        String kind = crd.get("spec", "names", "kind");
        String scope = crd.get("spec", "scope");
        List<Map<String, Object>> versions = crd.get("spec", "versions");
        if (group == null || plural == null || kind == null || versions == null) {
            return Optional.empty();
        }
        String version = null;
        for (Map<String, Object> v : versions) {
            if (Boolean.TRUE.equals(v.get("storage")) || version == null && Boolean.TRUE.equals(v.get("served"))) {
                version = (String) v.get("name");
            }
        }
        if (version == null) {
            return Optional.empty();
        }
        return Optional.of(new ResourceKind(CUSTOM, kind, group, version, plural, !"Cluster".equals(scope)));
    }

    /** The kinds whose objects an object of {@code owner} owns directly. */
    public static List<ResourceKind> childKinds(ResourceKind owner) {
        return switch (owner.kind()) {
            case "Deployment" -> List.of(REPLICA_SET);
            case "ReplicaSet", "StatefulSet", "DaemonSet", "Job" -> List.of(POD);
            case "CronJob" -> List.of(JOB);
            case "Service" -> List.of(ENDPOINTS);
            default -> List.of();
        };
    }
}
