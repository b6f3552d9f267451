package dev.berth.core.sim;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/** The pod statuses a hollow node writes, as a kubelet writes them; pure functions. */
final class PodStatuses {
    static final List<String> CONDITION_TYPES =
            List.of("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled");

    private PodStatuses() {
    }

    /** Running: init containers completed, every container running, started and ready. */
    static PodStatus running(Pod pod, String hostIp, String podIp, Instant now) {
        PodStatus current = pod.getStatus() != null ? pod.getStatus() : new PodStatus();
        String ts = NodeStatuses.timestamp(now);
        String startTime = current.getStartTime() != null ? current.getStartTime() : ts;
        List<ContainerStatus> containers = pod.getSpec().getContainers().stream()
                .map(c -> {
                    ContainerStatus old = find(current.getContainerStatuses(), c.getName());
                    String startedAt = old != null && old.getState() != null && old.getState().getRunning() != null
                            ? old.getState().getRunning().getStartedAt() : ts;
                    return base(pod, c).withReady(true).withStarted(true)
                            .withNewState().withNewRunning().withStartedAt(startedAt).endRunning().endState().build();
                })
                .toList();
        List<ContainerStatus> inits = pod.getSpec().getInitContainers().stream()
                .map(c -> base(pod, c).withReady(false).withStarted(false)
                        .withNewState().withNewTerminated().withExitCode(0).withReason("Completed")
                        .withStartedAt(startTime).withFinishedAt(startTime).endTerminated().endState().build())
                .toList();
        return new PodStatusBuilder(current)
                .withPhase("Running")
                .withMessage(null)
                .withReason(null)
                .withHostIP(hostIp)
                .withHostIPs(new io.fabric8.kubernetes.api.model.HostIPBuilder().withIp(hostIp).build())
                .withPodIP(podIp)
                .withPodIPs(new PodIPBuilder().withIp(podIp).build())
                .withStartTime(startTime)
                .withConditions(conditions(current, "True", "True", ts))
                .withContainerStatuses(containers)
                .withInitContainerStatuses(inits)
                .build();
    }

    /**
     * Terminated: every container exited with {@code exitCode} (0 Completed, else Error), phase
     * Succeeded or Failed, not ready.
     */
    static PodStatus terminated(Pod pod, int exitCode, Instant now) {
        PodStatus current = pod.getStatus() != null ? pod.getStatus() : new PodStatus();
        String ts = NodeStatuses.timestamp(now);
        String startTime = current.getStartTime() != null ? current.getStartTime() : ts;
        List<ContainerStatus> containers = pod.getSpec().getContainers().stream()
                .map(c -> {
                    ContainerStatus old = find(current.getContainerStatuses(), c.getName());
                    String startedAt = old != null && old.getState() != null && old.getState().getRunning() != null
                            ? old.getState().getRunning().getStartedAt() : startTime;
                    return base(pod, c).withReady(false).withStarted(false)
                            .withNewState().withNewTerminated().withExitCode(exitCode)
                            .withReason(exitCode == 0 ? "Completed" : "Error")
                            .withStartedAt(startedAt).withFinishedAt(ts).endTerminated().endState().build();
                })
                .toList();
        return new PodStatusBuilder(current)
                .withPhase(exitCode == 0 ? "Succeeded" : "Failed")
                .withStartTime(startTime)
                .withConditions(conditions(current, "False", "False", ts))
                .withContainerStatuses(containers)
                .build();
    }

    /** True when the status already shows every container running and the pod Ready. */
    static boolean isRunningReady(PodStatus status) {
        if (status == null || !"Running".equals(status.getPhase()) || status.getPodIP() == null) {
            return false;
        }
        for (String type : CONDITION_TYPES) {
            PodCondition c = condition(status, type);
            if (c == null || !"True".equals(c.getStatus())) {
                return false;
            }
        }
        return status.getContainerStatuses() != null && !status.getContainerStatuses().isEmpty()
                && status.getContainerStatuses().stream().allMatch(cs -> Boolean.TRUE.equals(cs.getReady())
                && cs.getState() != null && cs.getState().getRunning() != null);
    }

    static boolean allTerminated(PodStatus status) {
        return status != null && status.getContainerStatuses() != null && !status.getContainerStatuses().isEmpty()
                && status.getContainerStatuses().stream()
                .allMatch(cs -> cs.getState() != null && cs.getState().getTerminated() != null);
    }

    /** When the pod's containers started running, or null. */
    static Instant startedAt(PodStatus status) {
        if (status == null || status.getContainerStatuses() == null) {
            return null;
        }
        Instant latest = null;
        for (ContainerStatus cs : status.getContainerStatuses()) {
            if (cs.getState() != null && cs.getState().getRunning() != null) {
                Instant t = NodeStatuses.parse(cs.getState().getRunning().getStartedAt());
                if (t != null && (latest == null || t.isAfter(latest))) {
                    latest = t;
                }
            }
        }
        return latest;
    }

    static PodCondition condition(PodStatus status, String type) {
        if (status == null || status.getConditions() == null) {
            return null;
        }
        return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    private static List<PodCondition> conditions(PodStatus current, String ready, String started, String now) {
        return CONDITION_TYPES.stream().map(type -> {
            String status = switch (type) {
                case "Ready", "ContainersReady" -> ready;
                case "PodReadyToStartContainers" -> started;
                default -> "True";
            };
            PodCondition old = condition(current, type);
            String transition = old != null && status.equals(old.getStatus()) && old.getLastTransitionTime() != null
                    ? old.getLastTransitionTime() : now;
            PodConditionBuilder b = new PodConditionBuilder().withType(type).withStatus(status)
                    .withLastTransitionTime(transition).withLastProbeTime(null);
            if ("False".equals(status) && (type.equals("Ready") || type.equals("ContainersReady"))) {
                b.withReason("PodCompleted");
            }
            return b.build();
        }).toList();
    }

    private static ContainerStatusBuilder base(Pod pod, Container c) {
        String image = c.getImage() == null ? "" : c.getImage();
        return new ContainerStatusBuilder()
                .withName(c.getName())
                .withImage(image)
                .withImageID("sim://" + image + "@sha256:" + sha256(image))
                .withContainerID("sim://" + sha256(pod.getMetadata().getUid() + "/" + c.getName()))
                .withRestartCount(0);
    }

    private static ContainerStatus find(List<ContainerStatus> list, String name) {
        if (list == null) {
            return null;
        }
        for (ContainerStatus cs : list) {
            if (Objects.equals(cs.getName(), name)) {
                return cs;
            }
        }
        return null;
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
