package dev.berth.core.controller;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Moves pods through their phases through the pods/status subresource, as a node agent would,
 * for controller tests where nothing runs pods.
 */
public final class PodStates {
    private PodStates() {
    }

    /** Running with every container started and ready; the Ready condition changes at {@code at}. */
    public static Pod markRunningReady(KubernetesClient client, Pod pod, Instant at) {
        return setStatus(client, pod, "Running", true, at, null);
    }

    /** Running but not ready (readiness failing). */
    public static Pod markRunningNotReady(KubernetesClient client, Pod pod, Instant at) {
        return setStatus(client, pod, "Running", false, at, null);
    }

    /** Succeeded: every container terminated with exit code 0. */
    public static Pod markSucceeded(KubernetesClient client, Pod pod, Instant at) {
        return setStatus(client, pod, "Succeeded", false, at, 0);
    }

    /** Failed: every container terminated with exit code 1. */
    public static Pod markFailed(KubernetesClient client, Pod pod, Instant at) {
        return setStatus(client, pod, "Failed", false, at, 1);
    }

    /** Marks the pod Failed with every container terminated with {@code exitCode}. */
    public static Pod markFailed(KubernetesClient client, Pod pod, Instant at, int exitCode) {
        return setStatus(client, pod, "Failed", false, at, exitCode);
    }

    /** Marks the pod Failed (exit code 1) with an extra condition, such as DisruptionTarget. */
    public static Pod markFailedWithCondition(KubernetesClient client, Pod pod, Instant at, String conditionType) {
        Pod failed = setStatus(client, pod, "Failed", false, at, 1);
        String ts = DateTimeFormatter.ISO_INSTANT.format(at.truncatedTo(ChronoUnit.SECONDS));
        Pod updated = new PodBuilder(failed).editStatus().addToConditions(condition(conditionType, "True", ts)).endStatus().build();
        return client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(updated).updateStatus();
    }

    private static Pod setStatus(KubernetesClient client, Pod pod, String phase, boolean ready, Instant at,
                                 Integer exitCode) {
        String ts = DateTimeFormatter.ISO_INSTANT.format(at.truncatedTo(ChronoUnit.SECONDS));
        Pod current = client.pods().inNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName()).get();
        if (current == null) {
            throw new IllegalStateException("pod " + pod.getMetadata().getNamespace() + "/"
                    + pod.getMetadata().getName() + " does not exist");
        }
        List<ContainerStatus> containers = current.getSpec().getContainers().stream().map(c -> {
            ContainerStatusBuilder b = new ContainerStatusBuilder()
                    .withName(c.getName()).withImage(c.getImage())
                    .withImageID("docker-pullable://" + c.getImage())
                    .withContainerID("docker://" + Integer.toHexString(c.getName().hashCode()))
                    .withRestartCount(0)
                    .withReady(ready)
                    .withStarted(exitCode == null);
            if (exitCode == null) {
                b.withNewState().withNewRunning().withStartedAt(ts).endRunning().endState();
            } else {
                b.withNewState().withNewTerminated().withExitCode(exitCode)
                        .withReason(exitCode == 0 ? "Completed" : "Error")
                        .withStartedAt(ts).withFinishedAt(ts).endTerminated().endState();
            }
            return b.build();
        }).toList();
        String readyStatus = ready ? "True" : "False";
        List<PodCondition> conditions = List.of(
                condition("PodReadyToStartContainers", "True", ts),
                condition("Initialized", "True", ts),
                condition("Ready", readyStatus, ts),
                condition("ContainersReady", readyStatus, ts),
                condition("PodScheduled", "True", ts));
        Pod updated = new PodBuilder(current)
                .editOrNewStatus()
                .withPhase(phase)
                .withHostIP("127.0.0.1")
                .withPodIP(current.getStatus() != null && current.getStatus().getPodIP() != null
                        ? current.getStatus().getPodIP() : "10.42.0." + (1 + Math.abs(current.getMetadata().getName().hashCode() % 250)))
                .withStartTime(current.getStatus() != null && current.getStatus().getStartTime() != null
                        ? current.getStatus().getStartTime() : ts)
                .withConditions(conditions)
                .withContainerStatuses(containers)
                .endStatus()
                .build();
        return client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(updated).updateStatus();
    }

    private static PodCondition condition(String type, String status, String ts) {
        return new PodConditionBuilder().withType(type).withStatus(status).withLastTransitionTime(ts).build();
    }
}
