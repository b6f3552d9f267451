package dev.berth.core.controller.leaderelection;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.net.HttpURLConnection;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/** A coordination.k8s.io/v1 Lease read and written through the API. */
public final class ApiLeaseLock implements LeaseLock {
    private final KubernetesClient client;
    private final String namespace;
    private final String name;

    public ApiLeaseLock(KubernetesClient client, String namespace, String name) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
    }

    @Override
    public Optional<LeaseRecord> get() {
        Lease lease = client.leases().inNamespace(namespace).withName(name).get();
        if (lease == null) {
            return Optional.empty();
        }
        LeaseSpec s = lease.getSpec() == null ? new LeaseSpec() : lease.getSpec();
        return Optional.of(new LeaseRecord(s.getHolderIdentity(),
                s.getLeaseDurationSeconds() == null ? 0 : s.getLeaseDurationSeconds(),
                instant(s.getAcquireTime()), instant(s.getRenewTime()),
                s.getLeaseTransitions() == null ? 0 : s.getLeaseTransitions(),
                lease.getMetadata().getResourceVersion()));
    }

    @Override
    public boolean create(LeaseRecord record) {
        try {
            client.leases().inNamespace(namespace).resource(lease(record, null)).create();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public boolean update(LeaseRecord record) {
        try {
            client.leases().inNamespace(namespace).resource(lease(record, record.resourceVersion())).update();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT || e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public String describe() {
        return namespace + "/" + name;
    }

    private Lease lease(LeaseRecord r, String resourceVersion) {
        return new LeaseBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).withResourceVersion(resourceVersion).endMetadata()
                .withNewSpec()
                .withHolderIdentity(r.holderIdentity())
                .withLeaseDurationSeconds(r.leaseDurationSeconds())
                .withAcquireTime(time(r.acquireTime()))
                .withRenewTime(time(r.renewTime()))
                .withLeaseTransitions(r.leaseTransitions())
                .endSpec()
                .build();
    }

    private static ZonedDateTime time(Instant i) {
        // MicroTime: microsecond precision on the wire
        return i == null ? null : i.truncatedTo(ChronoUnit.MICROS).atZone(ZoneOffset.UTC);
    }

    private static Instant instant(ZonedDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
