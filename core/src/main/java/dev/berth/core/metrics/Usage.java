package dev.berth.core.metrics;

/**
 * CPU and memory in use at one moment.
 *
 * @param nanoCores        CPU in billionths of a core (1 core = 1e9)
 * @param workingSetBytes  memory working set, in bytes
 */
public record Usage(long nanoCores, long workingSetBytes) {
    public static final Usage ZERO = new Usage(0, 0);

    public Usage {
        if (nanoCores < 0) {
            throw new IllegalArgumentException("nanoCores " + nanoCores + " must not be negative");
        }
        if (workingSetBytes < 0) {
            throw new IllegalArgumentException("workingSetBytes " + workingSetBytes + " must not be negative");
        }
    }

    public Usage plus(Usage o) {
        return new Usage(nanoCores + o.nanoCores, workingSetBytes + o.workingSetBytes);
    }

    /** CPU as a Kubernetes quantity, in nanocores as metrics-server writes it ({@code 250000000n}) or {@code 0}. */
    public String cpuQuantity() {
        return nanoCores == 0 ? "0" : nanoCores + "n";
    }

    /** Memory as a Kubernetes quantity in Ki when whole, as metrics-server writes it. */
    public String memoryQuantity() {
        if (workingSetBytes == 0) {
            return "0";
        }
        return workingSetBytes % 1024 == 0 ? (workingSetBytes / 1024) + "Ki" : Long.toString(workingSetBytes);
    }
}
