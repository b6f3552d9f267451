package dev.berth.app.topology.compose;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The order drafts are applied in, dependencies first: namespaces and cluster-wide definitions,
 * then accounts and policies, ConfigMaps and Secrets, claims, then workloads, Services and last
 * Ingresses (and whatever else refers to them). The sort is stable within a rank.
 */
public final class ApplyOrder {
    static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "Node", "PersistentVolume", "StorageClass",
            "ClusterRole", "ClusterRoleBinding", "PriorityClass", "CustomResourceDefinition", "IngressClass",
            "CSIDriver", "CSINode", "RuntimeClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
            "APIService", "CertificateSigningRequest", "VolumeAttachment");

    private ApplyOrder() {}

    public static int rank(String kind) {
        return switch (kind) {
            case "Namespace" -> 0;
            case "CustomResourceDefinition" -> 1;
            case "StorageClass", "PriorityClass", "PersistentVolume", "ClusterRole", "IngressClass", "RuntimeClass" -> 2;
            case "ServiceAccount", "Role", "RoleBinding", "ClusterRoleBinding", "ResourceQuota", "LimitRange" -> 3;
            case "ConfigMap", "Secret" -> 4;
            case "PersistentVolumeClaim" -> 5;
            case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "Pod" -> 6;
            case "Service" -> 7;
            case "Ingress" -> 8;
            default -> 9;
        };
    }

    public static boolean namespaced(String kind) {
        return !CLUSTER_SCOPED.contains(kind);
    }

    public static List<Draft> sortDrafts(List<Draft> drafts) {
        return drafts.stream().sorted(Comparator.comparingInt(d -> rank(d.key().kind()))).toList();
    }

    public static List<GenericKubernetesResource> sort(List<GenericKubernetesResource> objects) {
        return objects.stream().sorted(Comparator.comparingInt(o -> rank(o.getKind()))).toList();
    }
}
