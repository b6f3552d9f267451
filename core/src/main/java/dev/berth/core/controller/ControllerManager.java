package dev.berth.core.controller;

import dev.berth.core.controller.daemonset.DaemonSets;
import dev.berth.core.controller.gc.GarbageCollector;
import dev.berth.core.controller.namespace.NamespaceDeletion;
import dev.berth.core.controller.runtime.ApiEventRecorder;
import dev.berth.core.controller.runtime.Component;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.controller.statefulset.StatefulSets;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the control plane's controllers against an API server through one client, sharing one
 * set of informers, and stops them. The client stays the caller's: closing the manager does not
 * close it.
 *
 * <pre>{@code
 * try (ControllerManager controllers = ControllerManager.start(client)) {
 *     ...
 * }
 * }</pre>
 */
public final class ControllerManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControllerManager.class);
    /** The component name on the Events the controllers record, as Kubernetes'. */
    public static final String COMPONENT = "controller-manager";

    private final ControllerContext context;
    private final List<Component> components;
    private boolean closed;

    private ControllerManager(ControllerContext context) {
        this.context = context;
        KubernetesClient client = context.client();
        Clock clock = context.clock();
        this.components = List.of(
                new NamespaceDeletion(client, clock, NamespaceDeletion.DEFAULT_WORKERS),
                new GarbageCollector(client, clock, GarbageCollector.DEFAULT_WORKERS),
                new DaemonSets(context),
                new StatefulSets(context));
    }

    /** Starts every controller; they fill their caches and begin working in the background. */
    public static ControllerManager start(KubernetesClient client) {
        return start(client, Clock.systemUTC());
    }

    public static ControllerManager start(KubernetesClient client, Clock clock) {
        return start(new ControllerContext(client, new Informers(client), clock,
                new ApiEventRecorder(client, clock, COMPONENT)));
    }

    /** Starts every controller on a context; closing the manager closes the context's informers and recorder. */
    public static ControllerManager start(ControllerContext context) {
        ControllerManager m = new ControllerManager(context);
        for (Component c : m.components) {
            c.start();
        }
        context.informers().start();
        log.info("controllers started: {}", m.components.stream().map(Component::name).toList());
        return m;
    }

    public ControllerContext context() {
        return context;
    }

    /** True once every controller filled its caches and runs its workers. */
    public boolean isReady() {
        return components.stream().allMatch(Component::isReady);
    }

    /** Stops every controller, waiting briefly for reconciles in flight; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<RuntimeException> failures = new ArrayList<>();
        for (Component c : components.reversed()) {
            try {
                c.close();
            } catch (RuntimeException e) {
                failures.add(new IllegalStateException("stopping " + c.name() + " failed", e));
            }
        }
        context.informers().close();
        if (context.events() instanceof AutoCloseable recorder) {
            try {
                recorder.close();
            } catch (Exception e) {
                failures.add(new IllegalStateException("stopping the event recorder failed", e));
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
