package dev.berth.core.controller.leaderelection;

import java.util.Optional;

/** A lease kept in memory with resourceVersions, refusing stale writes as the API server does. */
final class InMemoryLeaseLock implements LeaseLock {
    private LeaseRecord stored;
    private long version;
    volatile boolean failing;

    @Override
    public synchronized Optional<LeaseRecord> get() {
        check();
        return Optional.ofNullable(stored);
    }

    @Override
    public synchronized boolean create(LeaseRecord record) {
        check();
        if (stored != null) {
            return false;
        }
        stored = withVersion(record);
        return true;
    }

    @Override
    public synchronized boolean update(LeaseRecord record) {
        check();
        if (stored == null || !stored.resourceVersion().equals(record.resourceVersion())) {
            return false;
        }
        stored = withVersion(record);
        return true;
    }

    private LeaseRecord withVersion(LeaseRecord r) {
        return new LeaseRecord(r.holderIdentity(), r.leaseDurationSeconds(), r.acquireTime(), r.renewTime(),
                r.leaseTransitions(), Long.toString(++version));
    }

    private void check() {
        if (failing) {
            throw new IllegalStateException("API server unreachable");
        }
    }

    synchronized LeaseRecord stored() {
        return stored;
    }

    @Override
    public String describe() {
        return "kube-system/test";
    }
}
