package dev.berth.core.controller.podautoscaler;

import java.util.List;

/**
 * Kubernetes' replica calculation for one resource metric, as a pure function.
 * {@code pods} are the target's pods that count (not deleting, not failed); each carries its
 * request, its usage if metrics have it, and whether it is ready.
 */
final class ReplicaCalculator {
    /** Kubernetes' default tolerance: within 10% of the target nothing changes. */
    static final double TOLERANCE = 0.1;

    private ReplicaCalculator() {
    }

    /** One pod as the calculation sees it; {@code usage} is null when no metrics are reported. */
    record PodUsage(String name, long request, Long usage, boolean ready) {
    }

    /**
     * @param replicas     the proposed replica count
     * @param utilization  the current average utilization in percent of request (for Utilization targets)
     * @param averageValue the current average usage per pod with metrics
     */
    record Proposal(int replicas, int utilization, long averageValue) {
    }

    /**
     * The replicas for a target utilization in percent of the pods' requests.
     *
     * @throws IllegalArgumentException when a pod with metrics has no request for the resource
     */
    static Proposal forUtilization(int currentReplicas, List<PodUsage> pods, int targetUtilization) {
        if (pods.isEmpty()) {
            throw new IllegalArgumentException("no pods returned by selector while calculating replica count");
        }
        long requestSum = 0;
        long usageSum = 0;
        int withMetrics = 0;
        int readyWithMetrics = 0;
        int unready = 0;
        int missing = 0;
        for (PodUsage p : pods) {
            if (p.request() <= 0) {
                throw new IllegalArgumentException("missing request for the resource in pod " + p.name());
            }
        }
        for (PodUsage p : pods) {
            if (p.usage() == null) {
                missing++;
                continue;
            }
            if (!p.ready()) {
                unready++;
                continue;
            }
            requestSum += p.request();
            usageSum += p.usage();
            withMetrics++;
            readyWithMetrics++;
        }
        if (withMetrics == 0) {
            throw new IllegalArgumentException("did not receive metrics for targeted pods (pods might be unready)");
        }
        int utilization = (int) (usageSum * 100 / requestSum);
        double usageRatio = (double) utilization / targetUtilization;
        long average = usageSum / withMetrics;
        boolean rebalance = unready > 0 && usageRatio > 1.0;
        if (!rebalance && missing == 0) {
            if (Math.abs(1.0 - usageRatio) <= TOLERANCE) {
                return new Proposal(currentReplicas, utilization, average);
            }
            return new Proposal((int) Math.ceil(usageRatio * readyWithMetrics), utilization, average);
        }
        // missing pods count as using their full request when scaling down, nothing when scaling up;
        // unready pods count as using nothing when scaling up
        long newRequest = requestSum;
        long newUsage = usageSum;
        int counted = readyWithMetrics;
        for (PodUsage p : pods) {
            if (p.usage() == null) {
                newRequest += p.request();
                if (usageRatio < 1.0) {
                    newUsage += p.request();
                }
                counted++;
            } else if (!p.ready() && rebalance) {
                newRequest += p.request();
                counted++;
            }
        }
        if (newRequest == 0) {
            return new Proposal(currentReplicas, utilization, average);
        }
        double newRatio = ((double) newUsage * 100 / newRequest) / targetUtilization;
        if (Math.abs(1.0 - newRatio) <= TOLERANCE || (usageRatio < 1.0 && newRatio > 1.0)
                || (usageRatio > 1.0 && newRatio < 1.0)) {
            return new Proposal(currentReplicas, utilization, average);
        }
        int replicas = (int) Math.ceil(newRatio * counted);
        if ((newRatio < 1.0 && replicas > currentReplicas) || (newRatio > 1.0 && replicas < currentReplicas)) {
            return new Proposal(currentReplicas, utilization, average);
        }
        return new Proposal(replicas, utilization, average);
    }

    /** The replicas for a target average usage per pod (an AverageValue target). */
    static Proposal forAverageValue(int currentReplicas, List<PodUsage> pods, long targetAverage) {
        long usageSum = 0;
        int withMetrics = 0;
        for (PodUsage p : pods) {
            if (p.usage() != null) {
                usageSum += p.usage();
                withMetrics++;
            }
        }
        if (withMetrics == 0) {
            throw new IllegalArgumentException("did not receive metrics for targeted pods (pods might be unready)");
        }
        double usageRatio = (double) usageSum / ((double) targetAverage * withMetrics);
        long average = usageSum / withMetrics;
        if (Math.abs(1.0 - usageRatio) <= TOLERANCE) {
            return new Proposal(currentReplicas, 0, average);
        }
        return new Proposal((int) Math.ceil(usageRatio * withMetrics), 0, average);
    }
}
