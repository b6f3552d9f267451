package dev.berth.core.scheduler;

import dev.berth.core.scheduler.framework.Code;
import dev.berth.core.scheduler.framework.CycleState;
import dev.berth.core.scheduler.framework.NodeInfo;
import dev.berth.core.scheduler.framework.PodInfo;
import dev.berth.core.scheduler.framework.Status;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kube-scheduler's DefaultPreemption, run when a pod fits nowhere: on each node where the
 * rejection may be resolved, remove every pod of lower priority, check the pod fits, then give
 * back as many of them as still leaves it room (most important first). Among the nodes where
 * this works, pick the one whose most important victim is least important, then the lowest
 * sum of victim priorities, then the fewest victims.
 */
public final class Preemption {
    public static final String NOT_HELPFUL = "Preemption is not helpful for scheduling";
    public static final String NO_VICTIMS = "No preemption victims found for incoming pod";
    public static final String POLICY_NEVER = "not eligible due to preemptionPolicy=Never.";
    public static final String TERMINATING_ON_NOMINATED = "not eligible due to a terminating pod on the nominated node.";
    /** At least this many candidate nodes are tried (kube's minCandidateNodesAbsolute). */
    static final int MIN_CANDIDATES_ABSOLUTE = 100;
    /** ... or this share of the nodes (kube's minCandidateNodesPercentage). */
    static final int MIN_CANDIDATES_PERCENTAGE = 10;

    /** A node where the pod fits once the victims are gone. */
    public record Candidate(String node, List<PodInfo> victims) {
    }

    /**
     * The chosen candidate, or null with the message for the pod's FailedScheduling event;
     * {@code clearNomination} when no node could help, so a nomination left from earlier goes.
     */
    public record Result(Candidate candidate, String message, boolean clearNomination) {
    }

    private final Framework framework;

    public Preemption(Framework framework) {
        this.framework = framework;
    }

    /** Runs under the cache lock. */
    public Result preempt(CycleState state, PodInfo pod, SchedulerCache cache, Map<String, Status> filterStatuses) {
        if ("Never".equals(pod.pod().getSpec().getPreemptionPolicy())) {
            return new Result(null, "preemption: " + POLICY_NEVER, false);
        }
        String nominated = pod.pod().getStatus() == null ? null : pod.pod().getStatus().getNominatedNodeName();
        if (nominated != null && !nominated.isEmpty()) {
            NodeInfo node = cache.node(nominated);
            if (node != null) {
                for (PodInfo p : node.pods()) {
                    if (p.isTerminating() && p.priority() < pod.priority()) {
                        return new Result(null, "preemption: " + TERMINATING_ON_NOMINATED, false);
                    }
                }
            }
        }
        List<NodeInfo> nodes = cache.nodes();
        int wanted = Math.max(MIN_CANDIDATES_ABSOLUTE, nodes.size() * MIN_CANDIDATES_PERCENTAGE / 100);
        Map<String, Status> statuses = new LinkedHashMap<>();
        List<Candidate> candidates = new ArrayList<>();
        for (NodeInfo node : nodes) {
            Status filtered = filterStatuses.get(node.name());
            if (filtered != null && filtered.code() == Code.UNSCHEDULABLE_AND_UNRESOLVABLE) {
                statuses.put(node.name(), Status.unresolvable(filtered.plugin(), NOT_HELPFUL));
                continue;
            }
            if (candidates.size() >= wanted) {
                continue;
            }
            List<PodInfo> victims = new ArrayList<>();
            Status s = selectVictims(state, pod, node, cache.nominatedPods(node.name(), pod.key()), victims);
            if (s.isSuccess()) {
                candidates.add(new Candidate(node.name(), List.copyOf(victims)));
            } else {
                statuses.put(node.name(), s);
            }
        }
        if (candidates.isEmpty()) {
            FitError fit = new FitError(nodes.size(), statuses, null, null);
            return new Result(null, "preemption: " + fit.message(), true);
        }
        Candidate best = candidates.stream().min(Comparator
                .comparingInt((Candidate c) -> c.victims().stream().mapToInt(PodInfo::priority).max().orElse(Integer.MIN_VALUE))
                .thenComparingLong(c -> c.victims().stream().mapToLong(v -> (long) v.priority() - Integer.MIN_VALUE).sum())
                .thenComparingInt(c -> c.victims().size())).orElseThrow();
        return new Result(best, "", false);
    }

    /** Fills {@code victims} with the fewest lower-priority pods whose removal lets the pod fit. */
    Status selectVictims(CycleState state, PodInfo pod, NodeInfo node, List<PodInfo> nominated, List<PodInfo> victims) {
        List<PodInfo> lower = new ArrayList<>();
        for (PodInfo p : node.pods()) {
            if (p.priority() < pod.priority()) {
                lower.add(p);
            }
        }
        if (lower.isEmpty()) {
            return Status.unresolvable(null, NO_VICTIMS);
        }
        NodeInfo copy = node.copy();
        CycleState stateCopy = state.copy();
        for (PodInfo p : lower) {
            copy.removePod(p);
            framework.updateState(stateCopy, pod, p, copy, false);
        }
        Status fits = framework.runFiltersWithNominated(stateCopy, pod, copy, nominated);
        if (!fits.isSuccess()) {
            return fits;
        }
        // most important first: higher priority, then started earlier
        lower.sort(Comparator.comparingInt(PodInfo::priority).reversed().thenComparing(PodInfo::startTime));
        for (PodInfo p : lower) {
            copy.addPod(p);
            framework.updateState(stateCopy, pod, p, copy, true);
            if (!framework.runFiltersWithNominated(stateCopy, pod, copy, nominated).isSuccess()) {
                copy.removePod(p);
                framework.updateState(stateCopy, pod, p, copy, false);
                victims.add(p);
            }
        }
        return Status.SUCCESS;
    }
}
