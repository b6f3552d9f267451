package dev.berth.agent.node;

import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** kubelet's node condition types, reasons and messages, and how they are set. */
public final class NodeConditions {
    public static final String READY = "Ready";
    public static final String MEMORY_PRESSURE = "MemoryPressure";
    public static final String DISK_PRESSURE = "DiskPressure";
    public static final String PID_PRESSURE = "PIDPressure";

    private NodeConditions() {
    }

    /** What the node observes now: which pressures hold, and why it is not ready (empty when ready). */
    public record Observed(boolean memoryPressure, boolean diskPressure, boolean pidPressure, List<String> notReadyReasons) {
        public Observed {
            notReadyReasons = List.copyOf(notReadyReasons);
        }
    }

    /**
     * The conditions in kubelet's order, each with heartbeat {@code now} and its transition time
     * kept from {@code current} while its status is unchanged.
     */
    public static List<NodeCondition> of(Observed o, NodeStatus current, Instant now) {
        String ts = NodeStatuses.timestamp(now);
        List<NodeCondition> out = new ArrayList<>();
        out.add(o.memoryPressure()
                ? condition(current, MEMORY_PRESSURE, "True", "KubeletHasInsufficientMemory",
                "kubelet has insufficient memory available", ts)
                : condition(current, MEMORY_PRESSURE, "False", "KubeletHasSufficientMemory",
                "kubelet has sufficient memory available", ts));
        out.add(o.diskPressure()
                ? condition(current, DISK_PRESSURE, "True", "KubeletHasDiskPressure", "kubelet has disk pressure", ts)
                : condition(current, DISK_PRESSURE, "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", ts));
        out.add(o.pidPressure()
                ? condition(current, PID_PRESSURE, "True", "KubeletHasInsufficientPID",
                "kubelet has insufficient PID available", ts)
                : condition(current, PID_PRESSURE, "False", "KubeletHasSufficientPID",
                "kubelet has sufficient PID available", ts));
        out.add(o.notReadyReasons().isEmpty()
                ? condition(current, READY, "True", "KubeletReady", "kubelet is posting ready status", ts)
                : condition(current, READY, "False", "KubeletNotReady", String.join(", ", o.notReadyReasons()), ts));
        return out;
    }

    /**
     * A condition beyond kubelet's own (for example {@code NetworkUnavailable}), with heartbeat
     * {@code now} and its transition time kept from {@code current} while its status is unchanged.
     */
    public static NodeCondition extra(NodeStatus current, String type, boolean status, String reason, String message,
                                      Instant now) {
        return condition(current, type, status ? "True" : "False", reason, message, NodeStatuses.timestamp(now));
    }

    private static NodeCondition condition(NodeStatus current, String type, String status, String reason, String message,
                                           String now) {
        NodeCondition old = find(current, type);
        String transition = old != null && status.equals(old.getStatus()) && old.getLastTransitionTime() != null
                ? old.getLastTransitionTime() : now;
        return new NodeConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastHeartbeatTime(now).withLastTransitionTime(transition).build();
    }

    public static NodeCondition find(NodeStatus status, String type) {
        if (status == null || status.getConditions() == null) {
            return null;
        }
        for (NodeCondition c : status.getConditions()) {
            if (type.equals(c.getType())) {
                return c;
            }
        }
        return null;
    }
}
