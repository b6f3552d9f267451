package dev.berth.core.scheduler.plugins.nodeports;

import dev.berth.core.scheduler.framework.CycleState;
import dev.berth.core.scheduler.framework.FilterPlugin;
import dev.berth.core.scheduler.framework.NodeInfo;
import dev.berth.core.scheduler.framework.PodInfo;
import dev.berth.core.scheduler.framework.Status;

import java.util.List;

/** Keeps pods off nodes where a host port they ask for is taken (same protocol, overlapping host IP). */
public final class NodePorts implements FilterPlugin {
    public static final String NAME = "NodePorts";
    public static final String ERR_REASON = "node(s) didn't have free ports for the requested pod ports";

    private NodePorts() {
    }

    public static NodePorts create() {
        return new NodePorts();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        return fits(pod.hostPorts(), node.usedPorts()) ? Status.SUCCESS : Status.unschedulable(NAME, ERR_REASON);
    }

    public static boolean fits(List<PodInfo.HostPort> wanted, List<PodInfo.HostPort> used) {
        for (PodInfo.HostPort w : wanted) {
            for (PodInfo.HostPort u : used) {
                if (w.conflictsWith(u)) {
                    return false;
                }
            }
        }
        return true;
    }
}
