package dev.berth.core.sim;

import io.fabric8.kubernetes.api.model.Quantity;

import java.util.Map;
import java.util.Objects;

/**
 * What one hollow node reports about itself: its name, capacity (allocatable is the same, as on
 * a node without reservations), extra labels and the InternalIP it claims.
 *
 * @param internalIp a loopback or documentation address: a hollow node has no real one
 */
public record HollowNodeSpec(String name, Quantity cpu, Quantity memory, int pods, Quantity ephemeralStorage,
                             Map<String, String> labels, String internalIp) {
    public static final Quantity DEFAULT_CPU = new Quantity("4");
    public static final Quantity DEFAULT_MEMORY = new Quantity("16Gi");
    public static final int DEFAULT_PODS = 110;
    public static final Quantity DEFAULT_EPHEMERAL_STORAGE = new Quantity("100Gi");

    public HollowNodeSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(cpu, "cpu");
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(ephemeralStorage, "ephemeralStorage");
        Objects.requireNonNull(internalIp, "internalIp");
        if (!name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*") || name.length() > 253) {
            throw new IllegalArgumentException("node name \"" + name + "\" must be a lowercase RFC 1123 subdomain"
                    + " (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)");
        }
        if (pods < 1) {
            throw new IllegalArgumentException("pods " + pods + " must be at least 1");
        }
        for (var q : Map.of("cpu", cpu, "memory", memory, "ephemeral-storage", ephemeralStorage).entrySet()) {
            if (q.getValue().getNumericalAmount().signum() <= 0) {
                throw new IllegalArgumentException(q.getKey() + " " + q.getValue() + " must be positive");
            }
        }
        labels = Map.copyOf(labels);
    }

    /** A node with the default capacity (4 CPUs, 16Gi memory, 110 pods) and the {@code index}-th loopback address. */
    public static HollowNodeSpec of(String name, int index) {
        return new HollowNodeSpec(name, DEFAULT_CPU, DEFAULT_MEMORY, DEFAULT_PODS, DEFAULT_EPHEMERAL_STORAGE, Map.of(),
                loopbackAddress(index));
    }

    public HollowNodeSpec withCapacity(Quantity cpu, Quantity memory, int pods) {
        return new HollowNodeSpec(name, cpu, memory, pods, ephemeralStorage, labels, internalIp);
    }

    public HollowNodeSpec withLabels(Map<String, String> labels) {
        return new HollowNodeSpec(name, cpu, memory, pods, ephemeralStorage, labels, internalIp);
    }

    /**
     * The {@code index}-th (from 0) address of 127.1.0.1 onwards, skipping .0 and .255: loopback,
     * so nothing ever reaches a real machine, and unique for about 16 million nodes.
     */
    public static String loopbackAddress(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("index " + index + " must not be negative");
        }
        long n = index / 254 * 256L + index % 254 + 1; // host part 1..254
        long b2 = (n >> 16) + 1;
        if (b2 > 255) {
            throw new IllegalArgumentException("index " + index + " is beyond the loopback range");
        }
        return "127." + b2 + "." + ((n >> 8) & 255) + "." + (n & 255);
    }
}
