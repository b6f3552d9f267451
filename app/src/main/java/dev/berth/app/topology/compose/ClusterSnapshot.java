package dev.berth.app.topology.compose;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.util.ArrayList;
import java.util.List;

/**
 * The live objects composing cares about in one namespace (workloads, Services, Ingresses,
 * ConfigMaps, Secrets, claims) and the Namespace objects, listed once. Blocks on the network:
 * take it off the FX thread; a kind the server refuses to list is left out.
 */
public final class ClusterSnapshot {
    private static final String[][] KINDS = {
            {"apps/v1", "Deployment"}, {"apps/v1", "StatefulSet"}, {"apps/v1", "DaemonSet"}, {"apps/v1", "ReplicaSet"},
            {"batch/v1", "Job"}, {"batch/v1", "CronJob"}, {"v1", "Pod"}, {"v1", "Service"},
            {"networking.k8s.io/v1", "Ingress"}, {"v1", "ConfigMap"}, {"v1", "Secret"}, {"v1", "PersistentVolumeClaim"}};

    private ClusterSnapshot() {}

    public static LiveObjects of(KubernetesClient client, String namespace) {
        List<GenericKubernetesResource> all = new ArrayList<>();
        for (String[] k : KINDS) {
            try {
                all.addAll(client.genericKubernetesResources(k[0], k[1]).inNamespace(namespace).list().getItems());
            } catch (KubernetesClientException e) {
                // not served, or not allowed: composing goes on without those objects
            }
        }
        try {
            all.addAll(client.genericKubernetesResources("v1", "Namespace").list().getItems());
        } catch (KubernetesClientException e) {
            // a user without rights on namespaces composes inside one
        }
        return LiveObjects.of(all);
    }
}
