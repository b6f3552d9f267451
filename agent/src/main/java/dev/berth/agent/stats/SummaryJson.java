package dev.berth.agent.stats;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.Json;

/** Writes a {@link StatsSnapshot} as kubelet's Summary API ({@code stats/v1alpha1}) JSON. */
final class SummaryJson {
    private SummaryJson() {
    }

    static byte[] bytes(StatsSnapshot s) {
        return Json.bytes(tree(s));
    }

    static ObjectNode tree(StatsSnapshot s) {
        String ts = StatsSnapshot.timestamp(s.time());
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode node = root.putObject("node");
        node.put("nodeName", s.nodeName());
        if (s.nodeStartTime() != null) {
            node.put("startTime", StatsSnapshot.timestamp(s.nodeStartTime()));
        }
        cpu(node, ts, s.nodeNanoCores(), s.node().cpuUsageNanos());
        ObjectNode mem = node.putObject("memory");
        mem.put("time", ts);
        mem.put("availableBytes", s.node().memoryAvailableBytes());
        mem.put("usageBytes", s.node().memoryUsageBytes());
        mem.put("workingSetBytes", s.node().workingSetBytes());
        mem.put("rssBytes", s.node().rssBytes());
        mem.put("pageFaults", s.node().pageFaults());
        mem.put("majorPageFaults", s.node().majorPageFaults());
        fs(node.putObject("fs"), ts, s.nodeFs());
        fs(node.putObject("runtime").putObject("imageFs"), ts, s.imageFs());
        ObjectNode rlimit = node.putObject("rlimit");
        rlimit.put("time", ts);
        rlimit.put("maxpid", s.node().maxPid());
        rlimit.put("curproc", s.node().processes());
        ArrayNode pods = root.putArray("pods");
        for (StatsSnapshot.PodEntry p : s.pods()) {
            ObjectNode pod = pods.addObject();
            ObjectNode ref = pod.putObject("podRef");
            ref.put("name", p.name());
            ref.put("namespace", p.namespace());
            ref.put("uid", p.uid());
            if (p.startTime() != null) {
                pod.put("startTime", StatsSnapshot.timestamp(p.startTime()));
            }
            ArrayNode containers = pod.putArray("containers");
            for (StatsSnapshot.ContainerEntry c : p.containers()) {
                ObjectNode cn = containers.addObject();
                cn.put("name", c.name());
                if (c.startTime() != null) {
                    cn.put("startTime", StatsSnapshot.timestamp(c.startTime()));
                }
                cpu(cn, ts, c.nanoCores(), c.usage().cpuUsageNanos());
                memory(cn, ts, c.usage());
            }
            cpu(pod, ts, p.nanoCores(), p.total().cpuUsageNanos());
            memory(pod, ts, p.total());
        }
        return root;
    }

    private static void cpu(ObjectNode into, String ts, Long nanoCores, long coreNanos) {
        ObjectNode cpu = into.putObject("cpu");
        cpu.put("time", ts);
        if (nanoCores != null) {
            cpu.put("usageNanoCores", nanoCores);
        }
        cpu.put("usageCoreNanoSeconds", coreNanos);
    }

    private static void memory(ObjectNode into, String ts, ContainerUsage u) {
        ObjectNode mem = into.putObject("memory");
        mem.put("time", ts);
        mem.put("usageBytes", u.memoryUsageBytes());
        mem.put("workingSetBytes", u.workingSetBytes());
        mem.put("rssBytes", u.rssBytes());
        mem.put("pageFaults", u.pageFaults());
        mem.put("majorPageFaults", u.majorPageFaults());
    }

    private static void fs(ObjectNode into, String ts, FsUsage fs) {
        into.put("time", ts);
        into.put("availableBytes", fs.availableBytes());
        into.put("capacityBytes", fs.capacityBytes());
        into.put("usedBytes", fs.usedBytes());
    }
}
