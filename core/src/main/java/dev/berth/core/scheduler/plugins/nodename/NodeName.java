package dev.berth.core.scheduler.plugins.nodename;

import dev.berth.core.scheduler.framework.CycleState;
import dev.berth.core.scheduler.framework.FilterPlugin;
import dev.berth.core.scheduler.framework.NodeInfo;
import dev.berth.core.scheduler.framework.PodInfo;
import dev.berth.core.scheduler.framework.Status;
import io.fabric8.kubernetes.api.model.Pod;

/** Filters out every node but the one named in spec.nodeName, when the pod names one. */
public final class NodeName implements FilterPlugin {
    public static final String NAME = "NodeName";
    public static final String ERR_REASON = "node(s) didn't match the requested node name";

    private NodeName() {
    }

    public static NodeName create() {
        return new NodeName();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        return fits(pod.pod(), node.name()) ? Status.SUCCESS : Status.unresolvable(NAME, ERR_REASON);
    }

    /** True when the pod names no node or names this one. */
    public static boolean fits(Pod pod, String nodeName) {
        String wanted = pod.getSpec().getNodeName();
        return wanted == null || wanted.isEmpty() || wanted.equals(nodeName);
    }
}
