package dev.berth.core.controller.leaderelection;

import java.time.Duration;
import java.util.Objects;

/**
 * How a replica competes for the leader Lease, with client-go's meaning of the three durations.
 *
 * @param namespace     namespace of the Lease
 * @param name          name of the Lease
 * @param identity      this replica's holderIdentity
 * @param leaseDuration how long standbys wait, from the last renewal they observed, before taking over
 * @param renewDeadline how long the leader keeps retrying a failing renewal before it stops leading
 * @param retryPeriod   how often every replica tries to acquire or renew
 */
public record LeaderElectionConfig(String namespace, String name, String identity, Duration leaseDuration,
                                   Duration renewDeadline, Duration retryPeriod) {
    public static final String DEFAULT_NAMESPACE = "kube-system";
    public static final String DEFAULT_NAME = "berth-controller-manager";
    public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(10);
    public static final Duration DEFAULT_RENEW_DEADLINE = Duration.ofSeconds(7);
    public static final Duration DEFAULT_RETRY_PERIOD = Duration.ofSeconds(2);
    /** As client-go: retries wait between retryPeriod and retryPeriod * JITTER_FACTOR. */
    public static final double JITTER_FACTOR = 1.2;

    public LeaderElectionConfig {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(leaseDuration, "leaseDuration");
        Objects.requireNonNull(renewDeadline, "renewDeadline");
        Objects.requireNonNull(retryPeriod, "retryPeriod");
        if (identity.isBlank()) {
            throw new IllegalArgumentException("identity: must not be empty");
        }
        if (leaseDuration.toSeconds() < 1 || leaseDuration.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("leaseDuration: invalid value " + leaseDuration
                    + ": must be a whole number of seconds, at least 1 (it is written as leaseDurationSeconds)");
        }
        if (leaseDuration.compareTo(renewDeadline) <= 0) {
            throw new IllegalArgumentException("leaseDuration: invalid value " + leaseDuration
                    + ": must be greater than renewDeadline " + renewDeadline);
        }
        if (!retryPeriod.isPositive()) {
            throw new IllegalArgumentException("retryPeriod: invalid value " + retryPeriod + ": must be positive");
        }
        if (renewDeadline.toMillis() <= retryPeriod.toMillis() * JITTER_FACTOR) {
            throw new IllegalArgumentException("renewDeadline: invalid value " + renewDeadline
                    + ": must be greater than retryPeriod*JitterFactor (" + retryPeriod + " * " + JITTER_FACTOR + ")");
        }
    }

    /** The defaults (10 s, 7 s, 2 s) for the controller manager's Lease kube-system/berth-controller-manager. */
    public static LeaderElectionConfig defaults(String identity) {
        return new LeaderElectionConfig(DEFAULT_NAMESPACE, DEFAULT_NAME, identity, DEFAULT_LEASE_DURATION,
                DEFAULT_RENEW_DEADLINE, DEFAULT_RETRY_PERIOD);
    }

    public LeaderElectionConfig withDurations(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
        return new LeaderElectionConfig(namespace, name, identity, leaseDuration, renewDeadline, retryPeriod);
    }

    /** A replica identity as HOSTNAME_PID_RANDOM, unique even for two replicas in one process. */
    public static String newIdentity() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = System.getenv().getOrDefault("HOSTNAME", "localhost");
        }
        return host + "_" + ProcessHandle.current().pid() + "_" + java.util.UUID.randomUUID();
    }
}
