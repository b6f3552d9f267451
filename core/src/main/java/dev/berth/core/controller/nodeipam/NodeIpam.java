package dev.berth.core.controller.nodeipam;

import dev.berth.core.controller.runtime.Component;
import dev.berth.core.controller.runtime.ControlLoop;
import dev.berth.core.controller.runtime.ControllerContext;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/** The node IPAM controller: the shared node informer enqueues nodes; one worker runs {@link NodeIpamReconciler}. */
public final class NodeIpam implements Component {
    public static final String NAME = "node-ipam";

    private final ControlLoop loop;
    private final NodeIpamReconciler reconciler;
    private final SharedIndexInformer<Node> informer;

    public NodeIpam(ControllerContext context, NodeIpamOptions options) {
        this.informer = context.informers().of(Node.class);
        this.reconciler = new NodeIpamReconciler(context.client(), name -> informer.getStore().getByKey(name),
                () -> informer.getStore().list(), context.events(), options);
        this.loop = new ControlLoop(NAME, context, reconciler, 1);
    }

    public NodeIpam(ControllerContext context) {
        this(context, NodeIpamOptions.defaults());
    }

    public NodeIpamReconciler reconciler() {
        return reconciler;
    }

    public ControlLoop loop() {
        return loop;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start() {
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                loop.enqueue(node);
            }

            @Override
            public void onUpdate(Node old, Node node) {
                String before = old.getSpec() == null ? null : old.getSpec().getPodCIDR();
                String after = node.getSpec() == null ? null : node.getSpec().getPodCIDR();
                if (after == null || !after.equals(before)) {
                    loop.enqueue(node);
                }
            }

            @Override
            public void onDelete(Node node, boolean unknownFinalState) {
                loop.enqueue(node);
                // its subnet is free after this key: nodes refused for want of one try again
                for (Node waiting : informer.getStore().list()) {
                    if (waiting.getSpec() == null || waiting.getSpec().getPodCIDR() == null
                            || waiting.getSpec().getPodCIDR().isEmpty()) {
                        loop.enqueue(waiting);
                    }
                }
            }
        });
        loop.start();
    }

    @Override
    public boolean isReady() {
        return loop.isReady();
    }

    @Override
    public void close() {
        loop.close();
    }
}
