package dev.berth.agent.node;

import java.time.Duration;

/**
 * Hard eviction thresholds: a signal below its threshold puts the node under pressure. The
 * defaults are kubelet's on Linux ({@code memory.available<100Mi, nodefs.available<10%,
 * imagefs.available<15%}); kubelet has no default for {@code pid.available}, so 0 (never).
 *
 * @param pressureTransitionPeriod how long a pressure condition stays True after the signal
 *                                 last crossed its threshold (kubelet's
 *                                 --eviction-pressure-transition-period, 5 minutes)
 */
public record EvictionThresholds(long memoryAvailableBytes, int nodefsAvailablePercent, int imagefsAvailablePercent,
                                 long pidAvailable, Duration pressureTransitionPeriod) {
    public static final EvictionThresholds KUBELET_DEFAULTS =
            new EvictionThresholds(100L * 1024 * 1024, 10, 15, 0, Duration.ofMinutes(5));

    public EvictionThresholds {
        if (memoryAvailableBytes < 0) {
            throw new IllegalArgumentException("memory.available threshold must not be negative, was " + memoryAvailableBytes);
        }
        checkPercent("nodefs.available", nodefsAvailablePercent);
        checkPercent("imagefs.available", imagefsAvailablePercent);
        if (pidAvailable < 0) {
            throw new IllegalArgumentException("pid.available threshold must not be negative, was " + pidAvailable);
        }
        if (pressureTransitionPeriod == null || pressureTransitionPeriod.isNegative()) {
            throw new IllegalArgumentException("pressure transition period must be zero or more, was " + pressureTransitionPeriod);
        }
    }

    private static void checkPercent(String signal, int percent) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException(signal + " threshold must be a percentage from 0 to 100, was " + percent);
        }
    }

    public boolean memoryPressure(NodeReadings r) {
        return r.memoryAvailableBytes() < memoryAvailableBytes;
    }

    /** DiskPressure covers both filesystems, as kubelet's. */
    public boolean diskPressure(NodeReadings r) {
        return below(r.nodefsAvailableBytes(), r.nodefsCapacityBytes(), nodefsAvailablePercent)
                || below(r.imagefsAvailableBytes(), r.imagefsCapacityBytes(), imagefsAvailablePercent);
    }

    public boolean pidPressure(NodeReadings r) {
        return r.pidAvailable() < pidAvailable;
    }

    /** What the percentage of a capacity amounts to, rounded down as kubelet's. */
    public static long percentOf(long capacity, int percent) {
        return (long) (capacity * (percent / 100.0));
    }

    private static boolean below(long available, long capacity, int percent) {
        return capacity > 0 && available < percentOf(capacity, percent);
    }
}
