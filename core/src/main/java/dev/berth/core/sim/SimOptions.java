package dev.berth.core.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * How hollow nodes behave.
 *
 * @param leaseRenewInterval   how often a node renews its Lease (kubelet: 10 s)
 * @param leaseDuration        leaseDurationSeconds written in the Lease (kubelet: 40 s)
 * @param statusReportInterval how often an unchanged node status is written anyway (kubelet: 5 min)
 * @param jobRunTime           how long a pod owned by a Job runs before it succeeds
 * @param workers              threads writing to the API (shared by every node of the process)
 */
public record SimOptions(Duration leaseRenewInterval, Duration leaseDuration, Duration statusReportInterval,
                         Duration jobRunTime, int workers) {
    public static final Duration DEFAULT_LEASE_RENEW_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(40);
    public static final Duration DEFAULT_STATUS_REPORT_INTERVAL = Duration.ofMinutes(5);
    public static final Duration DEFAULT_JOB_RUN_TIME = Duration.ofSeconds(5);
    public static final int DEFAULT_WORKERS = 8;

    public SimOptions {
        positive("leaseRenewInterval", leaseRenewInterval);
        positive("leaseDuration", leaseDuration);
        positive("statusReportInterval", statusReportInterval);
        Objects.requireNonNull(jobRunTime, "jobRunTime");
        if (jobRunTime.isNegative()) {
            throw new IllegalArgumentException("jobRunTime " + jobRunTime + " must not be negative");
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers " + workers + " must be at least 1");
        }
    }

    public static SimOptions defaults() {
        return new SimOptions(DEFAULT_LEASE_RENEW_INTERVAL, DEFAULT_LEASE_DURATION, DEFAULT_STATUS_REPORT_INTERVAL,
                DEFAULT_JOB_RUN_TIME, DEFAULT_WORKERS);
    }

    public SimOptions withJobRunTime(Duration d) {
        return new SimOptions(leaseRenewInterval, leaseDuration, statusReportInterval, d, workers);
    }

    public SimOptions withWorkers(int n) {
        return new SimOptions(leaseRenewInterval, leaseDuration, statusReportInterval, jobRunTime, n);
    }

    private static void positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " " + d + " must be positive");
        }
    }
}
