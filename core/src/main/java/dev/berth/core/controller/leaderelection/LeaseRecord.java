package dev.berth.core.controller.leaderelection;

import java.time.Instant;

/**
 * What a leader Lease says (its spec), plus the resourceVersion it was read at, for the optimistic
 * update. {@code holderIdentity} is empty when the lease was released.
 */
public record LeaseRecord(String holderIdentity, int leaseDurationSeconds, Instant acquireTime, Instant renewTime,
                          int leaseTransitions, String resourceVersion) {
    public LeaseRecord {
        holderIdentity = holderIdentity == null ? "" : holderIdentity;
    }

    /** Same spec, ignoring the resourceVersion. */
    boolean sameSpec(LeaseRecord other) {
        return other != null && holderIdentity.equals(other.holderIdentity)
                && leaseDurationSeconds == other.leaseDurationSeconds
                && java.util.Objects.equals(acquireTime, other.acquireTime)
                && java.util.Objects.equals(renewTime, other.renewTime)
                && leaseTransitions == other.leaseTransitions;
    }
}
