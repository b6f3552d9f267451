package dev.berth.core.controller.nodeipam;

import dev.berth.core.controller.runtime.EventRecorder;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Gives each node one subnet of the cluster CIDR in {@code spec.podCIDR} (and {@code podCIDRs}),
 * as kube-controller-manager's range allocator: subnets already on nodes are recovered before
 * the first allocation, a deleted node's subnet is released, and when none is left the node gets
 * a CIDRNotAvailable event and is tried again with backoff. Runs on one worker: allocation is
 * serial.
 */
public final class NodeIpamReconciler implements Reconciler<String> {
    private static final Logger log = LoggerFactory.getLogger(NodeIpamReconciler.class);
    public static final String CIDR_NOT_AVAILABLE = "CIDRNotAvailable";
    public static final String CIDR_ASSIGNMENT_FAILED = "CIDRAssignmentFailed";

    private final KubernetesClient client;
    private final Function<String, Node> nodes;
    private final Supplier<List<Node>> allNodes;
    private final EventRecorder events;
    private final CidrSet cidrs;
    private final Map<String, Integer> byNode = new HashMap<>();
    private boolean recovered;

    public NodeIpamReconciler(KubernetesClient client, Function<String, Node> nodes, Supplier<List<Node>> allNodes,
                              EventRecorder events, NodeIpamOptions options) {
        this.client = client;
        this.nodes = nodes;
        this.allNodes = allNodes;
        this.events = events;
        this.cidrs = new CidrSet(options.clusterCidr(), options.nodeCidrMaskSize());
    }

    @Override
    public synchronized Result reconcile(String name) {
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
        recover();
        Node node = nodes.apply(name);
        if (node == null) {
            Integer released = byNode.remove(name);
            if (released != null) {
                cidrs.release(released);
                log.debug("node {} deleted: released {}", name, cidrs.cidr(released));
            }
            return Result.done();
        }
        String existing = node.getSpec() == null ? null : node.getSpec().getPodCIDR();
        if (existing != null && !existing.isEmpty()) {
            occupy(name, existing);
            return Result.done();
        }
        Integer mine = byNode.get(name);
        int index = mine != null ? mine : cidrs.allocate();
        if (index < 0) {
            events.event(node, EventRecorder.NORMAL, CIDR_NOT_AVAILABLE,
                    "Node " + name + " status is now: " + CIDR_NOT_AVAILABLE);
            log.warn("node {}: no subnet of {} left ({} in use)", name, cidrs.size(), cidrs.allocatedCount());
            return Result.requeue();
        }
        byNode.put(name, index);
        String cidr = cidrs.cidr(index);
        try {
            client.nodes().withName(name).patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"spec\":{\"podCIDR\":\"" + cidr + "\",\"podCIDRs\":[\"" + cidr + "\"]}}");
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                byNode.remove(name);
                cidrs.release(index);
                return Result.done();
            }
            events.warning(node, CIDR_ASSIGNMENT_FAILED, "Node %s: assigning podCIDR %s failed: %s", name, cidr,
                    e.getMessage());
            byNode.remove(name);
            cidrs.release(index);
            throw e;
        }
        log.debug("node {}: podCIDR {}", name, cidr);
        return Result.done();
    }

    /** Before the first allocation: every subnet already written on a node is taken. */
    private void recover() {
        if (recovered) {
            return;
        }
        for (Node n : allNodes.get()) {
            String c = n.getSpec() == null ? null : n.getSpec().getPodCIDR();
            if (c != null && !c.isEmpty()) {
                occupy(n.getMetadata().getName(), c);
            }
        }
        recovered = true;
    }

    private void occupy(String name, String cidr) {
        Integer had = byNode.get(name);
        int index = cidrs.occupy(cidr);
        if (had != null && had != index) {
            cidrs.release(had);
        }
        if (index >= 0) {
            byNode.put(name, index);
        } else {
            byNode.remove(name);
            log.info("node {}: podCIDR {} is outside the cluster CIDR; left as it is", name, cidr);
        }
    }

    synchronized int allocatedCount() {
        return cidrs.allocatedCount();
    }
}
