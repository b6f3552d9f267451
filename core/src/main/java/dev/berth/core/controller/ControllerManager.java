package dev.berth.core.controller;

import dev.berth.core.controller.gc.GarbageCollector;
import dev.berth.core.controller.namespace.NamespaceDeletion;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the control plane's controllers against an API server through one client, and stops them.
 * The client stays the caller's: closing the manager does not close it.
 *
 * <pre>{@code
 * try (ControllerManager controllers = ControllerManager.start(client)) {
 *     ...
 * }
 * }</pre>
 */
public final class ControllerManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControllerManager.class);

    private final GarbageCollector garbageCollector;
    private final NamespaceDeletion namespaceDeletion;
    private boolean closed;

    private ControllerManager(KubernetesClient client, Clock clock) {
        this.garbageCollector = new GarbageCollector(client, clock, GarbageCollector.DEFAULT_WORKERS);
        this.namespaceDeletion = new NamespaceDeletion(client, clock, NamespaceDeletion.DEFAULT_WORKERS);
    }

    /** Starts every controller; they fill their caches and begin working in the background. */
    public static ControllerManager start(KubernetesClient client) {
        return start(client, Clock.systemUTC());
    }

    public static ControllerManager start(KubernetesClient client, Clock clock) {
        ControllerManager m = new ControllerManager(client, clock);
        m.namespaceDeletion.start();
        m.garbageCollector.start();
        log.info("controllers started: garbage collector, namespace deletion");
        return m;
    }

    /** True once every controller filled its caches and runs its workers. */
    public boolean isReady() {
        return garbageCollector.isReady() && namespaceDeletion.isReady();
    }

    /** Stops every controller, waiting briefly for reconciles in flight; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<RuntimeException> failures = new ArrayList<>();
        for (AutoCloseable c : List.<AutoCloseable>of(garbageCollector, namespaceDeletion)) {
            try {
                c.close();
            } catch (Exception e) {
                failures.add(new IllegalStateException("stopping " + c.getClass().getSimpleName() + " failed", e));
            }
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.getFirst();
            failures.stream().skip(1).forEach(first::addSuppressed);
            throw first;
        }
        log.info("controllers stopped");
    }
}
