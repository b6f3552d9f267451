package dev.berth.app.cluster;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import java.util.Objects;

/**
 * A kind the app lists: where its API is and which section of the explorer shows it.
 *
 * @param section    explorer section (Workloads, Network, ...)
 * @param kind       e.g. Deployment
 * @param group      API group, "" for the core group
 * @param version    e.g. v1
 * @param plural     resource name, e.g. deployments
 * @param namespaced whether objects live in namespaces
 */
public record ResourceKind(String section, String kind, String group, String version, String plural, boolean namespaced) {
    public ResourceKind {
        Objects.requireNonNull(section, "section");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(plural, "plural");
    }

    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** The title in lists: Deployments, Ingresses, ... */
    public String title() {
        return switch (kind) {
            case "Endpoints" -> "Endpoints";
            case "Ingress" -> "Ingresses";
            case "NetworkPolicy" -> "Network Policies";
            case "StorageClass" -> "Storage Classes";
            case "PersistentVolumeClaim" -> "Persistent Volume Claims";
            case "PersistentVolume" -> "Persistent Volumes";
            case "ClusterRole" -> "Cluster Roles";
            case "RoleBinding" -> "Role Bindings";
            case "ClusterRoleBinding" -> "Cluster Role Bindings";
            case "ServiceAccount" -> "Service Accounts";
            case "ConfigMap" -> "Config Maps";
            case "ReplicaSet" -> "Replica Sets";
            case "StatefulSet" -> "Stateful Sets";
            case "DaemonSet" -> "Daemon Sets";
            case "CronJob" -> "Cron Jobs";
            case "CustomResourceDefinition" -> "Definitions";
            case "HorizontalPodAutoscaler" -> "Autoscalers";
            default -> kind.endsWith("s") ? kind + "es" : kind.endsWith("y") ? kind.substring(0, kind.length() - 1) + "ies" : kind + "s";
        };
    }

    public ResourceDefinitionContext context() {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind)
                .withPlural(plural).withNamespaced(namespaced).build();
    }

    /** Whether {@code scale} applies (the kind has a scale subresource the app knows). */
    public boolean scalable() {
        return group.equals("apps") && (kind.equals("Deployment") || kind.equals("StatefulSet") || kind.equals("ReplicaSet"));
    }

    /** Whether a rollout restart applies. */
    public boolean restartable() {
        return group.equals("apps") && (kind.equals("Deployment") || kind.equals("StatefulSet") || kind.equals("DaemonSet"));
    }

    @Override
    public String toString() {
        return title();
    }
}
