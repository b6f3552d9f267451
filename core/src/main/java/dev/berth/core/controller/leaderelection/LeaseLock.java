package dev.berth.core.controller.leaderelection;

import java.util.Optional;

/**
 * The Lease a {@link LeaderElector} competes for, with optimistic concurrency: a create or update
 * that lost a race returns false instead of overwriting.
 */
public interface LeaseLock {
    /** The lease as stored now, or empty when there is none. */
    Optional<LeaseRecord> get();

    /** Creates the lease; false when it exists already (someone else was quicker). */
    boolean create(LeaseRecord record);

    /** Replaces the lease read at {@code record.resourceVersion()}; false when it changed since. */
    boolean update(LeaseRecord record);

    /** namespace/name, for logs. */
    String describe();
}
