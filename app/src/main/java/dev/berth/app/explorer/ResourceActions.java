package dev.berth.app.explorer;

import dev.berth.app.cluster.ResourceKind;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Clock;
import java.util.Map;

/** What a person can do to an object: API calls only, so views and the command palette share them. */
public final class ResourceActions {
    private final KubernetesClient client;
    private final Clock clock;

    public ResourceActions(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** Sets the replicas through the scale subresource. */
    public void scale(ResourceKind kind, String namespace, String name, int replicas) {
        if (replicas < 0) {
            throw new IllegalArgumentException("replicas: Invalid value: " + replicas + ": must be greater than or equal to 0");
        }
        switch (kind.kind()) {
            case "Deployment" -> client.apps().deployments().inNamespace(namespace).withName(name).scale(replicas);
            case "StatefulSet" -> client.apps().statefulSets().inNamespace(namespace).withName(name).scale(replicas);
            case "ReplicaSet" -> client.apps().replicaSets().inNamespace(namespace).withName(name).scale(replicas);
            default -> throw new IllegalArgumentException(kind.kind() + " " + name + " cannot be scaled");
        }
    }

    /** kubectl rollout restart: stamps the pod template so the controller replaces every pod. */
    public void restart(ResourceKind kind, String namespace, String name) {
        String now = clock.instant().toString();
        var patch = Map.of("spec", Map.of("template", Map.of("metadata", Map.of("annotations",
                Map.of("kubectl.kubernetes.io/restartedAt", now)))));
        String json;
        try {
            json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(patch);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        if (!kind.restartable()) {
            throw new IllegalArgumentException(kind.kind() + " " + name + " has no rollout to restart");
        }
        client.genericKubernetesResources(kind.context()).inNamespace(namespace).withName(name)
                .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                        io.fabric8.kubernetes.client.dsl.base.PatchType.STRATEGIC_MERGE), json);
    }

    /** Deletes with the chosen propagation: Background, Foreground or Orphan. */
    public void delete(ResourceKind kind, GenericKubernetesResource obj, DeletionPropagation propagation) {
        var op = client.genericKubernetesResources(kind.context());
        var named = kind.namespaced() ? op.inNamespace(obj.getMetadata().getNamespace()).withName(obj.getMetadata().getName())
                : op.withName(obj.getMetadata().getName());
        named.withPropagationPolicy(propagation).delete();
    }

    /** Marks a node (un)schedulable, as kubectl cordon and uncordon do. */
    public void cordon(String node, boolean unschedulable) {
        client.nodes().withName(node).edit(n -> new NodeBuilder(n).editOrNewSpec()
                .withUnschedulable(unschedulable ? Boolean.TRUE : null).endSpec().build());
    }
}
