package dev.berth.core.controller;

import dev.berth.core.controller.cronjob.CronJobs;
import dev.berth.core.controller.daemonset.DaemonSets;
import dev.berth.core.controller.deployment.Deployments;
import dev.berth.core.controller.disruption.DisruptionBudgets;
import dev.berth.core.controller.endpoints.EndpointsController;
import dev.berth.core.controller.endpointslice.EndpointSliceController;
import dev.berth.core.controller.gc.GarbageCollector;
import dev.berth.core.controller.job.Jobs;
import dev.berth.core.controller.job.TtlAfterFinished;
import dev.berth.core.controller.podautoscaler.HorizontalPodAutoscalers;
import dev.berth.core.controller.namespace.NamespaceDeletion;
import dev.berth.core.controller.replicaset.ReplicaSets;
import dev.berth.core.controller.serviceaccount.RootCaPublisher;
import dev.berth.core.controller.serviceaccount.ServiceAccounts;
import dev.berth.core.controller.runtime.ApiEventRecorder;
import dev.berth.core.controller.runtime.Component;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.controller.statefulset.StatefulSets;
import dev.berth.core.controller.volume.localpath.LocalPathProvisioner;
import dev.berth.core.controller.volume.persistentvolume.PersistentVolumes;
import dev.berth.core.scheduler.Scheduler;
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

    private ControllerManager(ControllerContext context, String rootCaPem, String clusterCidr) {
        this.context = context;
        KubernetesClient client = context.client();
        Clock clock = context.clock();
        List<Component> list = new ArrayList<>(List.of(
                new NamespaceDeletion(client, clock, NamespaceDeletion.DEFAULT_WORKERS),
                new GarbageCollector(client, clock, GarbageCollector.DEFAULT_WORKERS),
                new DisruptionBudgets(context),
                new HorizontalPodAutoscalers(context),
                new PersistentVolumes(context),
                new LocalPathProvisioner(context),
                new dev.berth.core.controller.resourcequota.ResourceQuotas(context),
                clusterCidr == null ? new dev.berth.core.controller.nodeipam.NodeIpam(context)
                        : new dev.berth.core.controller.nodeipam.NodeIpam(context,
                        new dev.berth.core.controller.nodeipam.NodeIpamOptions(clusterCidr,
                                dev.berth.core.controller.nodeipam.NodeIpamOptions.DEFAULT_NODE_CIDR_MASK_SIZE)),
                new dev.berth.core.controller.nodelifecycle.NodeLifecycle(context),
                ServiceAccounts.create(context),
                new EndpointsController(context, EndpointsController.DEFAULT_WORKERS),
                new EndpointSliceController(context, EndpointSliceController.DEFAULT_WORKERS),
                new Jobs(context, Jobs.DEFAULT_WORKERS),
                new TtlAfterFinished(context, TtlAfterFinished.DEFAULT_WORKERS),
                new CronJobs(context, CronJobs.DEFAULT_WORKERS),
                new Scheduler(context),
                ReplicaSets.replicaSets(context),
                ReplicaSets.replicationControllers(context),
                new Deployments(context),
                new DaemonSets(context),
                new StatefulSets(context),
                new dev.berth.core.controller.certificates.KubeletServingApprover(context),
                new dev.berth.core.controller.certificates.CsrCleaner(context),
                new dev.berth.core.controller.clusterroleaggregation.ClusterRoleAggregation(context)));
        if (rootCaPem != null) {
            list.add(RootCaPublisher.create(context, rootCaPem));
        }
        this.components = List.copyOf(list);
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
        return start(context, null);
    }

    /**
     * As {@link #start(ControllerContext)}, also publishing the cluster CA certificate
     * ({@code rootCaPem}, PEM) as the kube-root-ca.crt ConfigMap in every namespace.
     */
    public static ControllerManager start(ControllerContext context, String rootCaPem) {
        return start(context, rootCaPem, null);
    }

    /** As {@link #start(ControllerContext, String)}, giving nodes /24s of {@code clusterCidr} (null: 10.42.0.0/16). */
    public static ControllerManager start(ControllerContext context, String rootCaPem, String clusterCidr) {
        ControllerManager m = new ControllerManager(context, rootCaPem, clusterCidr);
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
