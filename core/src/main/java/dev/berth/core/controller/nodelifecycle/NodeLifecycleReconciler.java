package dev.berth.core.controller.nodelifecycle;

import dev.berth.core.controller.runtime.EventRecorder;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Watches over one node's health, as kube-controller-manager's node lifecycle controller:
 * <ul>
 *   <li>a node is heard from when its Lease in kube-node-lease is renewed or its Ready condition's
 *       heartbeat moves; the time is taken on this controller's clock when it sees the change (so
 *       the clocks of nodes do not matter);</li>
 *   <li>not heard from for the grace period, every condition becomes Unknown with reason
 *       NodeStatusUnknown ("Kubelet stopped posting node status.") and the pods on the node are
 *       marked not Ready;</li>
 *   <li>taints follow the conditions: Ready=Unknown gives {@code node.kubernetes.io/unreachable}
 *       NoExecute and NoSchedule, Ready=False gives {@code node.kubernetes.io/not-ready}, pressure
 *       conditions and {@code spec.unschedulable} give their NoSchedule taints; they go when the
 *       condition does.</li>
 * </ul>
 */
public final class NodeLifecycleReconciler implements Reconciler<String> {
    private static final Logger log = LoggerFactory.getLogger(NodeLifecycleReconciler.class);
    public static final String LEASE_NAMESPACE = "kube-node-lease";
    public static final String NODE_STATUS_UNKNOWN = "NodeStatusUnknown";
    public static final String NODE_STATUS_NEVER_UPDATED = "NodeStatusNeverUpdated";
    public static final String STOPPED_POSTING = "Kubelet stopped posting node status.";
    public static final String NEVER_POSTED = "Kubelet never posted node status.";
    public static final String NODE_NOT_READY = "NodeNotReady";
    static final List<String> CONDITION_TYPES = List.of("Ready", "MemoryPressure", "DiskPressure", "PIDPressure");

    private final KubernetesClient client;
    private final Function<String, Node> nodes;
    private final Function<String, Lease> leases;
    private final Function<String, List<Pod>> podsOnNode;
    private final Clock clock;
    private final EventRecorder events;
    private final Duration gracePeriod;
    private final Map<String, Health> health = new ConcurrentHashMap<>();

    /** When this controller last heard from a node, and what it had heard then. */
    private record Health(Instant probeTime, String leaseRenewTime, String readyHeartbeat) {
    }

    public NodeLifecycleReconciler(KubernetesClient client, Function<String, Node> nodes,
                                   Function<String, Lease> leases, Function<String, List<Pod>> podsOnNode,
                                   Clock clock, EventRecorder events, NodeLifecycleOptions options) {
        this.client = client;
        this.nodes = nodes;
        this.leases = leases;
        this.podsOnNode = podsOnNode;
        this.clock = clock;
        this.events = events;
        this.gracePeriod = options.nodeMonitorGracePeriod();
    }

    @Override
    public Result reconcile(String name) {
        try {
            return reconcileOnce(name);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                // written from a cache a moment behind: look again at once, not after a backoff on the clock
                return Result.requeueAfter(java.time.Duration.ZERO);
            }
            throw e;
        }
    }

    private Result reconcileOnce(String name) {
        Node node = nodes.apply(name);
        if (node == null) {
            health.remove(name);
            return Result.done();
        }
        Instant now = clock.instant();
        Health h = observe(name, node, now);
        Instant deadline = h.probeTime().plus(gracePeriod);
        NodeCondition ready = condition(node, "Ready");
        if (!now.isBefore(deadline) && (ready == null || !"Unknown".equals(ready.getStatus()))) {
            node = markUnknown(node, now);
            ready = condition(node, "Ready");
        }
        node = reconcileTaints(node, now);
        if (ready != null && "Unknown".equals(ready.getStatus())) {
            markPodsNotReady(node, now);
            return Result.done(); // a renewed Lease or a posted status brings it back
        }
        return at(deadline);
    }

    private Health observe(String name, Node node, Instant now) {
        Lease lease = leases.apply(LEASE_NAMESPACE + "/" + name);
        String renew = lease == null || lease.getSpec() == null || lease.getSpec().getRenewTime() == null
                ? null : lease.getSpec().getRenewTime().toInstant().toString();
        NodeCondition ready = condition(node, "Ready");
        String heartbeat = ready == null ? null : ready.getLastHeartbeatTime();
        return health.compute(name, (k, old) -> old == null || !Objects.equals(old.leaseRenewTime(), renew)
                || !Objects.equals(old.readyHeartbeat(), heartbeat) ? new Health(now, renew, heartbeat) : old);
    }

    private Node markUnknown(Node node, Instant now) {
        String ts = timestamp(now);
        List<NodeCondition> conditions = new ArrayList<>();
        List<NodeCondition> current = node.getStatus() == null || node.getStatus().getConditions() == null
                ? List.of() : node.getStatus().getConditions();
        for (NodeCondition c : current) {
            if (CONDITION_TYPES.contains(c.getType())) {
                conditions.add(new NodeConditionBuilder(c).withStatus("Unknown").withReason(NODE_STATUS_UNKNOWN)
                        .withMessage(STOPPED_POSTING)
                        .withLastTransitionTime("Unknown".equals(c.getStatus()) ? c.getLastTransitionTime() : ts)
                        .build());
            } else {
                conditions.add(c);
            }
        }
        for (String type : CONDITION_TYPES) {
            if (current.stream().noneMatch(c -> type.equals(c.getType()))) {
                conditions.add(new NodeConditionBuilder().withType(type).withStatus("Unknown")
                        .withReason(NODE_STATUS_NEVER_UPDATED).withMessage(NEVER_POSTED)
                        .withLastHeartbeatTime(timestamp(node.getMetadata().getCreationTimestamp() != null
                                ? Instant.parse(node.getMetadata().getCreationTimestamp()) : now))
                        .withLastTransitionTime(ts).build());
            }
        }
        Node updated = client.nodes().resource(new NodeBuilder(node).editOrNewStatus().withConditions(conditions)
                .endStatus().build()).updateStatus();
        log.info("node {}: not heard from for {}: conditions Unknown", node.getMetadata().getName(), gracePeriod);
        events.normal(updated, NODE_NOT_READY, "Node %s status is now: %s", node.getMetadata().getName(), NODE_NOT_READY);
        return updated;
    }

    /** Sets the taints that the node's conditions call for, keeping others' and the time of those that stay. */
    private Node reconcileTaints(Node node, Instant now) {
        List<Taint> current = node.getSpec() == null || node.getSpec().getTaints() == null
                ? List.of() : node.getSpec().getTaints();
        List<Taint> wanted = wantedTaints(node, now);
        List<Taint> next = new ArrayList<>();
        for (Taint t : current) {
            if (!Taints.managed(t) || wanted.stream().anyMatch(w -> Taints.same(w, t))) {
                next.add(t);
            }
        }
        for (Taint w : wanted) {
            if (next.stream().noneMatch(t -> Taints.same(w, t))) {
                next.add(w);
            }
        }
        if (next.size() == current.size() && next.containsAll(current)) {
            return node;
        }
        Node updated = client.nodes().resource(new NodeBuilder(node).editOrNewSpec().withTaints(next).endSpec().build())
                .update();
        log.info("node {}: taints now {}", node.getMetadata().getName(),
                next.stream().map(t -> t.getKey() + ":" + t.getEffect()).toList());
        return updated;
    }

    static List<Taint> wantedTaints(Node node, Instant now) {
        List<Taint> wanted = new ArrayList<>();
        NodeCondition ready = condition(node, "Ready");
        String timeAdded = timestamp(now);
        if (ready != null && "False".equals(ready.getStatus())) {
            wanted.add(taint(Taints.NOT_READY, Taints.NO_EXECUTE, timeAdded));
            wanted.add(taint(Taints.NOT_READY, Taints.NO_SCHEDULE, null));
        } else if (ready != null && "Unknown".equals(ready.getStatus())) {
            wanted.add(taint(Taints.UNREACHABLE, Taints.NO_EXECUTE, timeAdded));
            wanted.add(taint(Taints.UNREACHABLE, Taints.NO_SCHEDULE, null));
        }
        for (var e : Map.of("MemoryPressure", Taints.MEMORY_PRESSURE, "DiskPressure", Taints.DISK_PRESSURE,
                "PIDPressure", Taints.PID_PRESSURE, "NetworkUnavailable", Taints.NETWORK_UNAVAILABLE).entrySet()) {
            NodeCondition c = condition(node, e.getKey());
            if (c != null && "True".equals(c.getStatus())) {
                wanted.add(taint(e.getValue(), Taints.NO_SCHEDULE, null));
            }
        }
        if (node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
            wanted.add(taint(Taints.UNSCHEDULABLE, Taints.NO_SCHEDULE, null));
        }
        return wanted;
    }

    private static Taint taint(String key, String effect, String timeAdded) {
        return new TaintBuilder().withKey(key).withEffect(effect).withTimeAdded(timeAdded).build();
    }

    /** As Kubernetes' MarkPodsNotReady: the Ready condition of every pod on an unreachable node goes False. */
    private void markPodsNotReady(Node node, Instant now) {
        String ts = timestamp(now);
        for (Pod pod : podsOnNode.apply(node.getMetadata().getName())) {
            if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
                continue;
            }
            PodCondition ready = pod.getStatus().getConditions().stream()
                    .filter(c -> "Ready".equals(c.getType())).findFirst().orElse(null);
            if (ready == null || "False".equals(ready.getStatus())) {
                continue;
            }
            List<PodCondition> conditions = pod.getStatus().getConditions().stream()
                    .map(c -> "Ready".equals(c.getType())
                            ? new PodConditionBuilder(c).withStatus("False").withLastTransitionTime(ts).build() : c)
                    .toList();
            try {
                client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(new PodBuilder(pod)
                        .editStatus().withConditions(conditions).endStatus().build()).updateStatus();
                events.warning(pod, NODE_NOT_READY, "Node is not ready");
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    throw e;
                }
            }
        }
    }

    static NodeCondition condition(Node node, String type) {
        if (node.getStatus() == null || node.getStatus().getConditions() == null) {
            return null;
        }
        return node.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    static String timestamp(Instant at) {
        return DateTimeFormatter.ISO_INSTANT.format(at.truncatedTo(ChronoUnit.SECONDS));
    }

    /**
     * Looks again at {@code at}: the delay is measured from the clock as it is now, not as it was
     * when the reconcile began, since the queue adds it to the present time.
     */
    private Result at(Instant at) {
        Duration d = Duration.between(clock.instant(), at);
        return Result.requeueAfter(d.isNegative() ? Duration.ZERO : d);
    }
}
