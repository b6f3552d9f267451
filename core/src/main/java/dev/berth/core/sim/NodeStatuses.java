package dev.berth.core.sim;

import dev.berth.core.BerthVersion;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddressBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.NodeSystemInfoBuilder;
import io.fabric8.kubernetes.api.model.Quantity;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/** The Node object and status a hollow node reports, as a kubelet writes them; pure functions. */
final class NodeStatuses {
    /** Marks nodes run by the simulator. */
    static final String SIM_LABEL = "sim.berth.dev/node";
    static final int KUBELET_PORT = 10250;

    private NodeStatuses() {
    }

    /** The node as registered: labels as kubelet sets them, no spec.podCIDR (node IPAM sets it). */
    static Node registration(HollowNodeSpec spec) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("kubernetes.io/arch", "amd64");
        labels.put("kubernetes.io/os", "linux");
        labels.put("kubernetes.io/hostname", spec.name());
        labels.put("beta.kubernetes.io/arch", "amd64");
        labels.put("beta.kubernetes.io/os", "linux");
        labels.put("node.kubernetes.io/instance-type", "sim");
        labels.put(SIM_LABEL, "true");
        labels.putAll(spec.labels());
        return new NodeBuilder()
                .withNewMetadata()
                .withName(spec.name())
                .withLabels(labels)
                .addToAnnotations("node.alpha.kubernetes.io/ttl", "0")
                .addToAnnotations("volumes.kubernetes.io/controller-managed-attach-detach", "true")
                .endMetadata()
                .withNewSpec().endSpec()
                .build();
    }

    /**
     * The status a running hollow node reports at {@code now}, keeping the transition times of
     * conditions whose status did not change since {@code current}.
     */
    static NodeStatus desired(HollowNodeSpec spec, NodeStatus current, Instant now) {
        Map<String, Quantity> capacity = new LinkedHashMap<>();
        capacity.put("cpu", spec.cpu());
        capacity.put("memory", spec.memory());
        capacity.put("pods", new Quantity(Integer.toString(spec.pods())));
        capacity.put("ephemeral-storage", spec.ephemeralStorage());
        capacity.put("hugepages-1Gi", new Quantity("0"));
        capacity.put("hugepages-2Mi", new Quantity("0"));
        String ts = timestamp(now);
        List<NodeCondition> conditions = new ArrayList<>();
        conditions.add(condition(current, "MemoryPressure", "False", "KubeletHasSufficientMemory",
                "kubelet has sufficient memory available", ts));
        conditions.add(condition(current, "DiskPressure", "False", "KubeletHasNoDiskPressure",
                "kubelet has no disk pressure", ts));
        conditions.add(condition(current, "PIDPressure", "False", "KubeletHasSufficientPID",
                "kubelet has sufficient PID available", ts));
        conditions.add(condition(current, "Ready", "True", "KubeletReady", "kubelet is posting ready status", ts));
        String id = UUID.nameUUIDFromBytes(spec.name().getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
        return new NodeStatusBuilder()
                .withCapacity(capacity)
                .withAllocatable(new LinkedHashMap<>(capacity))
                .withConditions(conditions)
                .withAddresses(
                        new NodeAddressBuilder().withType("InternalIP").withAddress(spec.internalIp()).build(),
                        new NodeAddressBuilder().withType("Hostname").withAddress(spec.name()).build())
                .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(KUBELET_PORT).endKubeletEndpoint()
                .endDaemonEndpoints()
                .withNodeInfo(new NodeSystemInfoBuilder()
                        .withMachineID(id.replace("-", ""))
                        .withSystemUUID(id)
                        .withBootID(id)
                        .withKernelVersion("sim")
                        .withOsImage("Berth simulated node")
                        .withContainerRuntimeVersion("sim://" + BerthVersion.version())
                        .withKubeletVersion(BerthVersion.gitVersion())
                        .withKubeProxyVersion(BerthVersion.gitVersion())
                        .withOperatingSystem("linux")
                        .withArchitecture("amd64")
                        .build())
                .build();
    }

    private static NodeCondition condition(NodeStatus current, String type, String status, String reason,
                                           String message, String now) {
        NodeCondition old = find(current, type);
        String transition = old != null && status.equals(old.getStatus()) && old.getLastTransitionTime() != null
                ? old.getLastTransitionTime() : now;
        return new NodeConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastHeartbeatTime(now).withLastTransitionTime(transition).build();
    }

    static NodeCondition find(NodeStatus status, String type) {
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

    /**
     * True when the node status in the API differs from what the node would report (ignoring
     * heartbeat times), or its last heartbeat is {@code reportInterval} old: kubelet's rule for
     * writing its status.
     */
    static boolean needsUpdate(NodeStatus current, NodeStatus desired, Instant now, Duration reportInterval) {
        if (current == null || current.getConditions() == null) {
            return true;
        }
        for (NodeCondition want : desired.getConditions()) {
            NodeCondition have = find(current, want.getType());
            if (have == null || !Objects.equals(have.getStatus(), want.getStatus())
                    || !Objects.equals(have.getReason(), want.getReason())
                    || !Objects.equals(have.getMessage(), want.getMessage())) {
                return true;
            }
        }
        NodeCondition ready = find(current, "Ready");
        Instant heartbeat = parse(ready.getLastHeartbeatTime());
        if (heartbeat == null || !now.isBefore(heartbeat.plus(reportInterval))) {
            return true;
        }
        return !sameQuantities(current.getCapacity(), desired.getCapacity())
                || !sameQuantities(current.getAllocatable(), desired.getAllocatable())
                || !Objects.equals(current.getAddresses(), desired.getAddresses())
                || !Objects.equals(current.getNodeInfo(), desired.getNodeInfo());
    }

    private static boolean sameQuantities(Map<String, Quantity> a, Map<String, Quantity> b) {
        if (a == null || b == null || a.size() != b.size()) {
            return false;
        }
        for (var e : b.entrySet()) {
            Quantity q = a.get(e.getKey());
            if (q == null || q.getNumericalAmount().compareTo(e.getValue().getNumericalAmount()) != 0) {
                return false;
            }
        }
        return true;
    }

    static String timestamp(Instant at) {
        return DateTimeFormatter.ISO_INSTANT.format(at.truncatedTo(ChronoUnit.SECONDS));
    }

    static Instant parse(String ts) {
        if (ts == null || ts.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(ts);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
