package dev.berth.core.scheduler.plugins.nodeunschedulable;

import dev.berth.core.scheduler.framework.CycleState;
import dev.berth.core.scheduler.framework.FilterPlugin;
import dev.berth.core.scheduler.framework.NodeInfo;
import dev.berth.core.scheduler.framework.PodInfo;
import dev.berth.core.scheduler.framework.Status;
import dev.berth.core.scheduler.plugins.tainttoleration.TaintToleration;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.Toleration;

import java.util.List;

/** Keeps pods off cordoned nodes (spec.unschedulable) unless they tolerate the unschedulable taint. */
public final class NodeUnschedulable implements FilterPlugin {
    public static final String NAME = "NodeUnschedulable";
    public static final String ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable";
    public static final String TAINT_KEY = "node.kubernetes.io/unschedulable";
    private static final Taint UNSCHEDULABLE_TAINT = new TaintBuilder().withKey(TAINT_KEY).withEffect("NoSchedule").build();

    private NodeUnschedulable() {
    }

    public static NodeUnschedulable create() {
        return new NodeUnschedulable();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        return fits(pod.pod().getSpec().getTolerations(), node.node())
                ? Status.SUCCESS : Status.unresolvable(NAME, ERR_REASON_UNSCHEDULABLE);
    }

    public static boolean fits(List<Toleration> tolerations, Node node) {
        if (node.getSpec() == null || !Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
            return true;
        }
        return TaintToleration.tolerated(UNSCHEDULABLE_TAINT, tolerations);
    }
}
