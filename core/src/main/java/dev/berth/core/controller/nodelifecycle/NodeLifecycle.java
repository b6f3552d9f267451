package dev.berth.core.controller.nodelifecycle;

import dev.berth.core.controller.runtime.Component;
import dev.berth.core.controller.runtime.ControlLoop;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Keys;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.util.List;
import java.util.Objects;

/**
 * The node lifecycle controller and taint-based eviction: the shared node, lease and pod
 * informers enqueue node names for {@link NodeLifecycleReconciler} and pod keys for
 * {@link TaintEvictionReconciler}.
 */
public final class NodeLifecycle implements Component {
    public static final String NAME = "node-lifecycle";
    /** The index of the shared pod informer by {@code spec.nodeName}. */
    public static final String POD_NODE_INDEX = "spec.nodeName";

    private final ControlLoop nodeLoop;
    private final ControlLoop evictionLoop;
    private final NodeLifecycleReconciler nodeReconciler;
    private final TaintEvictionReconciler evictionReconciler;
    private final SharedIndexInformer<Node> nodes;
    private final SharedIndexInformer<Lease> leases;
    private final SharedIndexInformer<Pod> pods;

    public NodeLifecycle(ControllerContext context, NodeLifecycleOptions options) {
        this.nodes = context.informers().of(Node.class);
        this.leases = context.informers().of(Lease.class);
        this.pods = context.informers().indexed(Pod.class, POD_NODE_INDEX, p -> p.getSpec() == null
                || p.getSpec().getNodeName() == null || p.getSpec().getNodeName().isEmpty()
                ? List.of() : List.of(p.getSpec().getNodeName()));
        this.nodeReconciler = new NodeLifecycleReconciler(context.client(), name -> nodes.getStore().getByKey(name),
                key -> leases.getStore().getByKey(key), this::podsOn, context.clock(), context.events(), options);
        this.evictionReconciler = new TaintEvictionReconciler(context.client(), key -> pods.getStore().getByKey(key),
                name -> nodes.getStore().getByKey(name), context.clock(), context.events());
        this.nodeLoop = new ControlLoop(NAME, context, nodeReconciler, options.workers());
        this.evictionLoop = new ControlLoop("taint-eviction", context, evictionReconciler, options.workers());
    }

    public NodeLifecycle(ControllerContext context) {
        this(context, NodeLifecycleOptions.defaults());
    }

    private List<Pod> podsOn(String nodeName) {
        return pods.getIndexer().byIndex(POD_NODE_INDEX, nodeName);
    }

    public ControlLoop nodeLoop() {
        return nodeLoop;
    }

    public ControlLoop evictionLoop() {
        return evictionLoop;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start() {
        nodes.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                nodeLoop.enqueue(node);
                if (!Taints.noExecute(taints(node)).isEmpty()) {
                    enqueuePodsOf(node);
                }
            }

            @Override
            public void onUpdate(Node old, Node node) {
                nodeLoop.enqueue(node);
                if (!Objects.equals(Taints.noExecute(taints(old)), Taints.noExecute(taints(node)))) {
                    enqueuePodsOf(node);
                }
            }

            @Override
            public void onDelete(Node node, boolean unknownFinalState) {
                nodeLoop.enqueue(node);
            }
        });
        leases.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Lease lease) {
                enqueueNodeOf(lease);
            }

            @Override
            public void onUpdate(Lease old, Lease lease) {
                enqueueNodeOf(lease);
            }

            @Override
            public void onDelete(Lease lease, boolean unknownFinalState) {
            }
        });
        pods.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                enqueueIfOnTaintedNode(pod);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                enqueueIfOnTaintedNode(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean unknownFinalState) {
                evictionLoop.enqueue(Keys.of(pod));
            }
        });
        nodeLoop.start();
        evictionLoop.start();
    }

    private static List<io.fabric8.kubernetes.api.model.Taint> taints(Node node) {
        return node.getSpec() == null ? null : node.getSpec().getTaints();
    }

    private void enqueueNodeOf(Lease lease) {
        if (NodeLifecycleReconciler.LEASE_NAMESPACE.equals(lease.getMetadata().getNamespace())) {
            nodeLoop.enqueue(lease.getMetadata().getName());
        }
    }

    private void enqueuePodsOf(Node node) {
        for (Pod p : podsOn(node.getMetadata().getName())) {
            evictionLoop.enqueue(p);
        }
    }

    private void enqueueIfOnTaintedNode(Pod pod) {
        String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (nodeName == null || nodeName.isEmpty()) {
            return;
        }
        Node node = nodes.getStore().getByKey(nodeName);
        if (node != null && !Taints.noExecute(taints(node)).isEmpty()) {
            evictionLoop.enqueue(pod);
        }
    }

    @Override
    public boolean isReady() {
        return nodeLoop.isReady() && evictionLoop.isReady();
    }

    @Override
    public void close() {
        evictionLoop.close();
        nodeLoop.close();
    }
}
