package dev.berth.agent.network;

import dev.berth.agent.AgentParts;
import dev.berth.core.controller.runtime.Informers;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Enforces NetworkPolicy on this node: informer events only mark it dirty; one worker recomputes
 * the {@link NetworkPolicyModel} for the node's pods from the caches (level-triggered) at most
 * every {@link #MIN_INTERVAL}, renders it ({@link NetworkPolicyRules}) and applies it with
 * {@code iptables-restore --noflush} when it changed, and rewrites it whole every
 * {@link #RESYNC_PERIOD} by the injected clock, repairing rules someone removed. Nothing is
 * applied before the caches have synced; failures are retried after {@link #RETRY}. On close the
 * rules stay, so a restarted agent takes over without opening or dropping anything.
 */
public final class NetworkPolicyReconciler implements AgentParts.NetworkPart {
    public static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    public static final Duration RESYNC_PERIOD = Duration.ofSeconds(30);
    public static final Duration RETRY = Duration.ofSeconds(2);
    private static final Logger log = LoggerFactory.getLogger(NetworkPolicyReconciler.class);

    /** Where the objects come from. */
    public record Source(Supplier<Boolean> synced, Supplier<List<NetworkPolicy>> policies, Supplier<List<Pod>> pods,
                         Supplier<List<Namespace>> namespaces) {
    }

    private final String nodeName;
    private final NetworkPolicyRules rules;
    private final Source source;
    private final HostCommand host;
    private final Clock clock;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("network-policy").daemon(true).factory());
    private final AtomicBoolean dirty = new AtomicBoolean();
    private final List<Runnable> undo = new ArrayList<>();
    private volatile boolean closed;
    private Instant nextResync = Instant.MIN;
    private String applied;
    private volatile List<NetworkPolicyModel.PodPolicy> enforced;

    public NetworkPolicyReconciler(String nodeName, String namePrefix, Source source, HostCommand host, Clock clock) {
        this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
        this.rules = new NetworkPolicyRules(namePrefix);
        this.source = Objects.requireNonNull(source, "source");
        this.host = Objects.requireNonNull(host, "host");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Follows the informers and applies the policies once they have synced. */
    public NetworkPolicyReconciler start(SharedIndexInformer<NetworkPolicy> policies, SharedIndexInformer<Pod> pods,
                                         SharedIndexInformer<Namespace> namespaces) {
        watch(policies);
        watch(pods);
        watch(namespaces);
        worker.scheduleWithFixedDelay(() -> {
            if (!clock.instant().isBefore(nextResync)) requestSync();
        }, 1, 1, TimeUnit.SECONDS);
        requestSync();
        return this;
    }

    private <T extends HasMetadata> void watch(SharedIndexInformer<T> informer) {
        Runnable remove = Informers.onAnyChange(informer, this::requestSync);
        synchronized (undo) {
            undo.add(remove);
        }
    }

    /** Marks the rules dirty; a run follows within {@link #MIN_INTERVAL}. */
    public void requestSync() {
        if (closed || !dirty.compareAndSet(false, true)) return;
        try {
            worker.schedule(this::run, MIN_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void run() {
        dirty.set(false);
        if (closed) return;
        try {
            syncNow();
        } catch (RuntimeException e) {
            log.warn("node {}: applying NetworkPolicy rules failed, trying again in {}: {}", nodeName, RETRY, e.getMessage());
            applied = null;
            try {
                worker.schedule(this::requestSync, RETRY.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException ignored) {
                // closing
            }
        }
    }

    /** One run; tests call it directly. */
    void syncNow() {
        if (!source.synced().get()) return;
        Instant now = clock.instant();
        boolean resync = !now.isBefore(nextResync);
        List<NetworkPolicyModel.PodPolicy> pods = NetworkPolicyModel.compute(nodeName, source.policies().get(),
                source.pods().get(), source.namespaces().get());
        String wanted = String.valueOf(rules.chains(pods));
        if (!resync && wanted.equals(applied)) return;
        String save = host.check(List.of("iptables-save", "-t", "filter"), null);
        host.check(List.of("iptables-restore", "-w", "5", "--noflush"), rules.restoreInput(pods, save));
        applied = wanted;
        enforced = pods;
        if (resync) nextResync = now.plus(RESYNC_PERIOD);
        log.debug("node {}: NetworkPolicy rules for {} isolated pods applied", nodeName, pods.size());
    }

    /** The pod policies last applied, or null before the first run. */
    public List<NetworkPolicyModel.PodPolicy> enforced() {
        return enforced;
    }

    @Override
    public void close() {
        closed = true;
        synchronized (undo) {
            undo.forEach(Runnable::run);
            undo.clear();
        }
        worker.shutdownNow();
    }
}
