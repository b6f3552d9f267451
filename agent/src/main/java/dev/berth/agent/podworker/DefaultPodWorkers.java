package dev.berth.agent.podworker;

import dev.berth.agent.prober.ProbeKind;
import dev.berth.agent.prober.ProbeListener;
import dev.berth.agent.prober.Probes;
import dev.berth.agent.runtime.ContainerInfo;
import dev.berth.agent.runtime.ContainerRuntime;
import dev.berth.agent.runtime.RuntimeLabels;
import dev.berth.agent.volume.PodVolumes;
import dev.berth.core.controller.runtime.EventRecorder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The pod workers of a node, as kubelet's: one {@link PodWorker} per pod, each syncing serially on
 * a virtual thread (the latest pod object wins; a pending termination is never lost). Every pod is
 * resynced every {@link PodWorkerSettings#resyncInterval()}, and at once when the runtime shows
 * one of its containers changed state (a relist every {@link PodWorkerSettings#relistInterval()},
 * kubelet's PLEG) or a probe's verdict changed.
 */
public final class DefaultPodWorkers implements PodWorkers, RunningPods, ProbeListener {
    private static final Logger LOG = Logger.getLogger(DefaultPodWorkers.class.getName());

    /** What every worker shares. */
    record Context(ContainerRuntime runtime, PodVolumes volumes, Probes probes, PodStatusSink sink, ObjectLookup lookup,
                   EventRecorder events, Clock clock, PodWorkerSettings settings, Backoff crashBackoff, Images images,
                   Hooks hooks, String runtimeName, Executor executor, DefaultPodWorkers owner) {
        void onFinished(PodWorker worker, Pod pod) {
            owner.finished(worker, pod);
        }
    }

    private final Context ctx;
    private final Probes probes;
    private final boolean ownsProbes;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService ticker;
    private final Map<String, PodWorker> workers = new ConcurrentHashMap<>();
    private final List<Consumer<Pod>> terminatedListeners = new CopyOnWriteArrayList<>();
    private volatile Map<String, String> lastRelist = Map.of();
    /** Pods already terminated here, newest last: a late update of one must not start it again. */
    private final Map<String, Boolean> finishedUids = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > 10_000;
                }
            });
    private volatile boolean closed;

    /**
     * @param probes a factory given this object as the listener of probe verdicts (the workers own
     *               and close the Probes it makes)
     * @param client for ConfigMaps and Secrets named by env, envFrom and imagePullSecrets; null on
     *               a node without API access (pods naming them then wait with CreateContainerConfigError)
     */
    public DefaultPodWorkers(ContainerRuntime runtime, PodVolumes volumes, Function<ProbeListener, Probes> probes,
                             PodStatusSink sink, KubernetesClient client, EventRecorder events, Clock clock,
                             PodWorkerSettings settings) {
        this(runtime, volumes, null, probes, sink, client, events, clock, settings);
    }

    /**
     * With a Probes made elsewhere: its listener must forward to {@link #changed} of this object
     * (it is a {@link ProbeListener}); the caller closes it.
     */
    public DefaultPodWorkers(ContainerRuntime runtime, PodVolumes volumes, Probes probes, PodStatusSink sink,
                             KubernetesClient client, EventRecorder events, Clock clock, PodWorkerSettings settings) {
        this(runtime, volumes, Objects.requireNonNull(probes, "probes"), null, sink, client, events, clock, settings);
    }

    private DefaultPodWorkers(ContainerRuntime runtime, PodVolumes volumes, Probes probes,
                              Function<ProbeListener, Probes> factory, PodStatusSink sink, KubernetesClient client,
                              EventRecorder events, Clock clock, PodWorkerSettings settings) {
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(volumes, "volumes");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(settings, "settings");
        EventRecorder ev = events == null ? EventRecorder.NONE : safe(events);
        this.ownsProbes = probes == null;
        this.probes = probes != null ? probes : Objects.requireNonNull(factory.apply(this), "the probes factory returned null");
        ObjectLookup lookup = ObjectLookup.of(client);
        String runtimeName;
        try {
            runtimeName = runtime.info().runtimeName();
        } catch (RuntimeException e) {
            runtimeName = "docker";
        }
        this.ctx = new Context(runtime, volumes, this.probes, sink, lookup, ev, clock, settings, new Backoff(clock),
                new Images(runtime, lookup, ev, clock), new Hooks(runtime), runtimeName, executor, this);
        this.ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("pod-workers-ticker")
                .factory());
        long resync = settings.resyncInterval().toMillis();
        long relist = settings.relistInterval().toMillis();
        ticker.scheduleWithFixedDelay(this::resyncAll, resync, resync, TimeUnit.MILLISECONDS);
        ticker.scheduleWithFixedDelay(this::relist, relist, relist, TimeUnit.MILLISECONDS);
    }

    private static EventRecorder safe(EventRecorder events) {
        return (regarding, type, reason, message) -> {
            try {
                events.event(regarding, type, reason, message);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "recording an event failed", e);
            }
        };
    }

    // --- PodWorkers -----------------------------------------------------------------------------

    @Override
    public void sync(Pod pod) {
        String uid = validUid(pod);
        if (closed || finishedUids.containsKey(uid)) {
            return;
        }
        PodWorker w = workers.compute(uid, (k, old) -> {
            if (old != null && !old.finished) {
                return old;
            }
            return new PodWorker(ctx, pod);
        });
        w.latest = pod;
        w.enqueue();
    }

    @Override
    public void terminate(Pod lastKnown) {
        String uid = validUid(lastKnown);
        if (closed || finishedUids.containsKey(uid)) {
            return;
        }
        PodWorker w = workers.computeIfAbsent(uid, k -> new PodWorker(ctx, lastKnown));
        w.terminateRequest = lastKnown;
        w.enqueue();
    }

    private static String validUid(Pod pod) {
        Objects.requireNonNull(pod, "pod");
        if (pod.getMetadata() == null || pod.getMetadata().getUid() == null || pod.getMetadata().getUid().isEmpty()) {
            throw new IllegalArgumentException("pod " + (pod.getMetadata() == null ? "" : pod.getMetadata().getNamespace()
                    + "/" + pod.getMetadata().getName()) + ": metadata.uid must be set");
        }
        if (pod.getSpec() == null) {
            throw new IllegalArgumentException("pod " + pod.getMetadata().getNamespace() + "/"
                    + pod.getMetadata().getName() + ": spec must be set");
        }
        return pod.getMetadata().getUid();
    }

    @Override
    public Set<String> podUids() {
        return Set.copyOf(workers.keySet());
    }

    @Override
    public void onTerminated(Consumer<Pod> listener) {
        terminatedListeners.add(listener);
    }

    void finished(PodWorker worker, Pod pod) {
        finishedUids.put(worker.uid, Boolean.TRUE);
        workers.remove(worker.uid, worker);
        for (Consumer<Pod> l : terminatedListeners) {
            try {
                l.accept(pod);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a terminated-pod listener failed for pod " + worker.key(), e);
            }
        }
    }

    /** How many syncs of the pod have finished (0 without a worker). */
    long syncs(String podUid) {
        PodWorker w = workers.get(podUid);
        return w == null ? 0 : w.syncs.get();
    }

    /** Syncs every pod now (the periodic resync does this every resyncInterval). */
    public void resyncAll() {
        for (PodWorker w : workers.values()) {
            w.enqueue();
        }
    }

    /** Lists the runtime's containers and syncs the pods whose containers changed state (kubelet's PLEG). */
    void relist() {
        if (closed) {
            return;
        }
        List<ContainerInfo> all;
        try {
            all = ctx.runtime().listContainers(Map.of());
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "relisting containers failed", e);
            return;
        }
        Map<String, TreeMap<String, String>> byPod = new HashMap<>();
        for (ContainerInfo c : all) {
            String uid = c.label(RuntimeLabels.POD_UID);
            if (!uid.isEmpty()) {
                byPod.computeIfAbsent(uid, k -> new TreeMap<>()).put(c.id(), c.state() + ":" + c.exitCode());
            }
        }
        Map<String, String> now = new HashMap<>();
        byPod.forEach((uid, states) -> now.put(uid, states.toString()));
        Map<String, String> before = lastRelist;
        lastRelist = now;
        for (PodWorker w : workers.values()) {
            if (!Objects.equals(before.get(w.uid), now.get(w.uid))) {
                w.enqueue();
            }
        }
    }

    // --- ProbeListener --------------------------------------------------------------------------

    @Override
    public void changed(String podUid, String containerName, String containerId, ProbeKind kind, boolean success,
                        String message) {
        PodWorker w = workers.get(podUid);
        if (w == null) {
            return;
        }
        if (!success && (kind == ProbeKind.LIVENESS || kind == ProbeKind.STARTUP)) {
            w.killRequests.put(containerId, kind);
        }
        w.enqueue();
    }

    // --- RunningPods ----------------------------------------------------------------------------

    @Override
    public Optional<RunningPod> find(String namespace, String name) {
        for (PodWorker w : workers.values()) {
            RunningPod p = w.snapshot;
            if (!w.finished && p.namespace().equals(namespace) && p.name().equals(name)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        closed = true;
        ticker.shutdownNow();
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
        if (ownsProbes) {
            probes.close();
        }
    }
}
