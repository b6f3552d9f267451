package dev.berth.core.scheduler.framework;

import io.fabric8.kubernetes.api.model.Quantity;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

/** Quantities as the scheduler counts them: CPU in millicores, everything else in whole units (bytes). */
public final class Resources {
    public static final String CPU = "cpu";
    public static final String MEMORY = "memory";
    public static final String EPHEMERAL_STORAGE = "ephemeral-storage";
    public static final String PODS = "pods";
    /** Kube-scheduler's requests assumed for scoring when a container names none. */
    public static final long DEFAULT_MILLI_CPU = 100;
    public static final long DEFAULT_MEMORY = 200L * 1024 * 1024;

    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);

    private Resources() {
    }

    /** CPU in millicores, rounded up as Kubernetes' MilliValue does. */
    public static long milli(Quantity q) {
        if (q == null) {
            return 0;
        }
        return Quantity.getAmountInBytes(q).multiply(THOUSAND).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    /** A quantity in whole units, rounded up as Kubernetes' Value does. */
    public static long value(Quantity q) {
        if (q == null) {
            return 0;
        }
        return Quantity.getAmountInBytes(q).setScale(0, RoundingMode.CEILING).longValue();
    }

    /** The amount of {@code resource} in a resource list, in scheduler units (0 if absent). */
    public static long amount(Map<String, Quantity> list, String resource) {
        if (list == null) {
            return 0;
        }
        Quantity q = list.get(resource);
        return CPU.equals(resource) ? milli(q) : value(q);
    }

    /** Whether the scheduler accounts a resource name as a scalar (extended, hugepages) resource. */
    public static boolean isScalar(String resource) {
        return !CPU.equals(resource) && !MEMORY.equals(resource) && !EPHEMERAL_STORAGE.equals(resource)
                && !PODS.equals(resource);
    }
}
