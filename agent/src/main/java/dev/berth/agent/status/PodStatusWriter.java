package dev.berth.agent.status;

import dev.berth.agent.podworker.PodStatusSink;
import dev.berth.core.controller.runtime.Controller;
import dev.berth.core.controller.runtime.Result;
import dev.berth.core.controller.runtime.WorkQueue;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's status manager: keeps the latest status the pod workers computed for each pod and
 * writes it to {@code pods/status} when it differs from what the API has. Conditions the agent owns
 * (PodReadyToStartContainers, Initialized, ContainersReady, Ready) come from the worker; the others
 * (PodScheduled, DisruptionTarget, readiness gates) stay as their owners wrote them. A write that
 * fails (the control plane is away, a conflict) is retried with exponential back-off, and every pod
 * whose latest status is not known to be written is sent again each resync period, so that all of
 * it goes out once the API is back. A pod that is gone from the API (or replaced by another of the
 * same name) is forgotten.
 */
public final class PodStatusWriter implements PodStatusSink, AutoCloseable {
    /** Conditions kubelet owns (Kubernetes' PodConditionsByKubelet). */
    public static final Set<String> OWNED_CONDITIONS =
            Set.of("PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready");
    public static final Duration DEFAULT_RESYNC = Duration.ofSeconds(10);
    static final int WORKERS = 8;
    private static final Set<String> TERMINAL = Set.of("Succeeded", "Failed");
    private static final int CONFLICT_RETRIES = 3;
    private static final Logger log = LoggerFactory.getLogger(PodStatusWriter.class);

    private record Entry(String namespace, String name, PodStatus status, long version) {}

    private final KubernetesClient client;
    private final Map<String, Entry> latest = new ConcurrentHashMap<>();
    /** Version of each pod's entry known to be in the API. */
    private final Map<String, Long> written = new ConcurrentHashMap<>();
    private final AtomicLong versions = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final WorkQueue<String> queue;
    private final Controller<String> worker;
    private final ScheduledExecutorService resync;
    private final Duration resyncPeriod;

    public PodStatusWriter(KubernetesClient client, Clock clock) {
        this(client, clock, DEFAULT_RESYNC, Duration.ofMillis(200), Duration.ofSeconds(30));
    }

    /**
     * @param resyncPeriod how often statuses not known to be written are sent again
     * @param baseDelay    first retry delay after a failed write; doubles up to {@code maxDelay}
     */
    public PodStatusWriter(KubernetesClient client, Clock clock, Duration resyncPeriod, Duration baseDelay,
                           Duration maxDelay) {
        this.client = Objects.requireNonNull(client, "client");
        this.resyncPeriod = resyncPeriod;
        this.queue = new WorkQueue<>(clock, baseDelay, maxDelay);
        // one write in flight per pod, several pods at once (a Deployment starts many together)
        this.worker = new Controller<>("pod-status", queue, this::sync, WORKERS);
        this.resync = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("pod-status-resync").daemon(true).factory());
    }

    public PodStatusWriter start() {
        worker.start();
        resync.scheduleWithFixedDelay(this::resendUnwritten, resyncPeriod.toMillis(), resyncPeriod.toMillis(),
                TimeUnit.MILLISECONDS);
        return this;
    }

    @Override
    public void update(String podUid, String namespace, String name, PodStatus status) {
        Entry entry = new Entry(namespace, name, new PodStatusBuilder(status).build(), versions.incrementAndGet());
        latest.put(podUid, entry);
        queue.add(podUid);
    }

    /** Forgets a pod (deleted from the API, no longer on this node). */
    public void forget(String podUid) {
        latest.remove(podUid);
        written.remove(podUid);
    }

    /** The uids of the pods whose status is kept. */
    public Set<String> podUids() {
        return Set.copyOf(latest.keySet());
    }

    /** Whether the latest status of the pod is known to be in the API. */
    public boolean isWritten(String podUid) {
        Entry e = latest.get(podUid);
        return e != null && Objects.equals(written.get(podUid), e.version());
    }

    /** How many status writes reached the API. */
    public long writeCount() {
        return writes.get();
    }

    /** Sends again every status not known to be written (after the API was away). */
    public void resendUnwritten() {
        for (String uid : latest.keySet()) {
            if (!isWritten(uid)) queue.add(uid);
        }
    }

    private Result sync(String uid) {
        Entry entry = latest.get(uid);
        if (entry == null) return Result.done();
        for (int attempt = 1; ; attempt++) {
            Pod current = client.pods().inNamespace(entry.namespace()).withName(entry.name()).get();
            if (current == null || !uid.equals(current.getMetadata().getUid())) {
                log.debug("pod {}/{} ({}) is gone from the API; forgetting its status", entry.namespace(), entry.name(), uid);
                latest.remove(uid, entry);
                written.remove(uid);
                return Result.done();
            }
            PodStatus apiStatus = current.getStatus() == null ? new PodStatus() : current.getStatus();
            if (apiStatus.getPhase() != null && TERMINAL.contains(apiStatus.getPhase())
                    && !apiStatus.getPhase().equals(entry.status().getPhase())) {
                log.warn("pod {}/{}: not writing phase {} over terminal phase {}", entry.namespace(), entry.name(),
                        entry.status().getPhase(), apiStatus.getPhase());
                written.put(uid, entry.version());
                return Result.done();
            }
            PodStatus merged = merge(apiStatus, entry.status());
            if (merged.equals(apiStatus)) {
                written.put(uid, entry.version());
                return Result.done();
            }
            Pod update = new PodBuilder(current).withStatus(merged).build();
            try {
                client.pods().inNamespace(entry.namespace()).resource(update).updateStatus();
                writes.incrementAndGet();
                written.put(uid, entry.version());
                return Result.done();
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409 && attempt < CONFLICT_RETRIES) continue;
                if (e.getCode() == 404) {
                    latest.remove(uid, entry);
                    written.remove(uid);
                    return Result.done();
                }
                throw e;
            }
        }
    }

    /**
     * The status to write: the agent's, with the conditions others own taken from {@code api}, and
     * each condition's lastTransitionTime kept when its status did not change.
     */
    public static PodStatus merge(PodStatus api, PodStatus ours) {
        List<PodCondition> apiConditions = api.getConditions() == null ? List.of() : api.getConditions();
        List<PodCondition> ourConditions = ours.getConditions() == null ? List.of() : ours.getConditions();
        List<PodCondition> conditions = new ArrayList<>();
        for (PodCondition c : apiConditions) {
            if (!OWNED_CONDITIONS.contains(c.getType())) conditions.add(c);
        }
        for (PodCondition c : ourConditions) {
            if (OWNED_CONDITIONS.contains(c.getType())) {
                PodCondition before = find(apiConditions, c.getType());
                if (before != null && Objects.equals(before.getStatus(), c.getStatus())
                        && before.getLastTransitionTime() != null) {
                    c = new PodConditionBuilder(c).withLastTransitionTime(before.getLastTransitionTime()).build();
                }
                conditions.add(c);
            } else if (find(apiConditions, c.getType()) == null) {
                conditions.add(c);   // a condition the agent reports first (DisruptionTarget on eviction)
            }
        }
        PodStatusBuilder merged = new PodStatusBuilder(ours).withConditions(conditions);
        // set by the API server and the scheduler; a worker that does not compute them leaves them be
        if (ours.getQosClass() == null) merged.withQosClass(api.getQosClass());
        if (ours.getNominatedNodeName() == null) merged.withNominatedNodeName(api.getNominatedNodeName());
        return merged.build();
    }

    private static PodCondition find(List<PodCondition> conditions, String type) {
        for (PodCondition c : conditions) {
            if (type.equals(c.getType())) return c;
        }
        return null;
    }

    @Override
    public void close() {
        resync.shutdownNow();
        worker.stop(Duration.ofSeconds(2));
    }
}
