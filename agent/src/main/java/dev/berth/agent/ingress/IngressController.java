package dev.berth.agent.ingress;

import dev.berth.agent.AgentParts;
import dev.berth.core.controller.runtime.Controller;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.controller.runtime.Keys;
import dev.berth.core.controller.runtime.WorkQueue;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The built-in ingress controller of a node ({@code berth agent --ingress}): it serves the
 * Ingresses of class {@value IngressClasses#NAME} (see {@link IngressClasses}) with an
 * {@link IngressProxy} on the node's ports 80 and 443, routing by {@link IngressRoutes} to the
 * ready endpoints of Services ({@link ServiceEndpoints}), with certificates from TLS Secrets by SNI
 * ({@link IngressCertificates}), and keeps the node's address in the Ingresses' status
 * ({@link IngressStatusReconciler}). Everything is read from the agent's shared informers; the
 * routing table is rebuilt off the watch threads when an Ingress, IngressClass or Secret changes,
 * while Services and EndpointSlices are looked up per request, so endpoint changes apply at once.
 */
public final class IngressController implements AgentParts.NetworkPart {
    private static final Logger log = LoggerFactory.getLogger(IngressController.class);
    /** How often every Ingress's status is checked again, whatever the watches said. */
    static final Duration STATUS_RESYNC = Duration.ofMinutes(1);

    private final KubernetesClient client;
    private final Informers informers;
    private final IngressSettings settings;
    private final Supplier<Optional<String>> nodeAddress;
    private final IngressCertificates certificates;
    private final ServiceEndpoints endpoints;
    private final IngressStatusReconciler status;
    private final Controller<String> statusController;
    private final ScheduledExecutorService rebuilds = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("ingress-routes").daemon(true).factory());
    private final AtomicBoolean rebuildPending = new AtomicBoolean();
    private final List<Runnable> unsubscribe = new ArrayList<>();
    private volatile IngressRoutes routes = IngressRoutes.EMPTY;
    private IngressProxy proxy;
    private final CompletableFuture<IngressProxy> listening = new CompletableFuture<>();
    private boolean closed;

    /**
     * @param nodeAddress this node's address for the Ingresses' status (empty while unknown)
     */
    public IngressController(KubernetesClient client, Informers informers, IngressSettings settings,
                             Supplier<Optional<String>> nodeAddress, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.informers = Objects.requireNonNull(informers, "informers");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.nodeAddress = Objects.requireNonNull(nodeAddress, "nodeAddress");
        this.certificates = new IngressCertificates(clock);
        this.endpoints = new ServiceEndpoints(
                (ns, name) -> informers.get(Service.class, Keys.of(ns, name)),
                ns -> informers.inNamespace(EndpointSlice.class, ns));
        this.status = new IngressStatusReconciler(client, key -> informers.get(Ingress.class, key),
                () -> informers.list(IngressClass.class), nodeAddress);
        this.statusController = new Controller<>("ingress-status", new WorkQueue<>(clock), status, 1);
    }

    /**
     * Subscribes to the informers, builds the first routing table and starts listening. A port
     * that cannot be bound (another server has it) does not fail the start, which would keep the
     * node's pod network from being reported ready: the controller logs why and tries again every
     * {@link #LISTEN_RETRY}.
     */
    public synchronized IngressController start() {
        // every type is asked for before the proxy listens, so the caches are there to answer
        informers.of(Service.class);
        informers.of(EndpointSlice.class);
        subscribe(Ingress.class, true);
        subscribe(IngressClass.class, true);
        subscribe(Secret.class, false);
        rebuild();
        statusController.start();
        rebuilds.scheduleWithFixedDelay(this::enqueueAll, STATUS_RESYNC.toMillis(), STATUS_RESYNC.toMillis(),
                TimeUnit.MILLISECONDS);
        listen();
        return this;
    }

    /** How long the controller waits before trying again to bind a port that was taken. */
    static final Duration LISTEN_RETRY = Duration.ofSeconds(10);

    private void listen() {
        synchronized (this) {
            if (closed || proxy != null) return;
        }
        IngressProxy p = new IngressProxy(settings, new IngressRouter(() -> routes, endpoints), certificates);
        try {
            p.start();
        } catch (IllegalStateException e) {
            log.warn("{}; trying again in {}", e.getMessage(), LISTEN_RETRY);
            try {
                rebuilds.schedule(this::listen, LISTEN_RETRY.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                // closed meanwhile
            }
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        synchronized (this) {
            if (closed) {
                p.close();
                return;
            }
            proxy = p;
        }
        listening.complete(p);
        // only a node that answers is written into the Ingresses' status
        status.startServing();
        enqueueAll();
    }

    /** Completes once the proxy listens on both ports. */
    public CompletableFuture<Void> listening() {
        return listening.thenApply(p -> null);
    }

    private <T extends HasMetadata> void subscribe(Class<T> type, boolean statusMayChange) {
        SharedIndexInformer<T> informer = informers.of(type);
        ResourceEventHandler<T> handler = new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                changed(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                changed(newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                changed(obj);
            }

            private void changed(T obj) {
                rebuildSoon();
                if (!statusMayChange) return;
                if (obj instanceof Ingress ing) statusController.queue().add(Keys.of(ing));
                else enqueueAll();
            }
        };
        informer.addEventHandler(handler);
        unsubscribe.add(() -> informer.removeEventHandler(handler));
    }

    private void enqueueAll() {
        for (Ingress ing : informers.list(Ingress.class)) statusController.queue().add(Keys.of(ing));
    }

    private void rebuildSoon() {
        if (rebuildPending.compareAndSet(false, true)) {
            try {
                rebuilds.execute(() -> {
                    rebuildPending.set(false);
                    rebuild();
                });
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                rebuildPending.set(false);
            }
        }
    }

    /** Recomputes routes and certificates from the caches. */
    private void rebuild() {
        try {
            List<IngressClass> classes = informers.list(IngressClass.class);
            List<Ingress> served = new ArrayList<>();
            for (Ingress ing : informers.list(Ingress.class)) {
                if (IngressClasses.serves(ing, classes)) served.add(ing);
            }
            served.sort(Comparator.comparing((Ingress i) -> String.valueOf(i.getMetadata().getCreationTimestamp()))
                    .thenComparing(i -> Keys.of(i)));
            routes = IngressRoutes.of(served);
            certificates.update(served, (ns, name) -> informers.get(Secret.class, Keys.of(ns, name)));
            log.debug("ingress: {} ingresses served", served.size());
        } catch (RuntimeException e) {
            log.warn("ingress: cannot rebuild the routing table, keeping the previous one", e);
        }
    }

    /** The routing table in use. */
    public IngressRoutes routes() {
        return routes;
    }

    /** The self-signed certificate served when no Secret covers a name. */
    public java.security.cert.X509Certificate fallbackCertificate() {
        return certificates.fallbackCertificate();
    }

    /** The bound HTTP address; only once {@link #listening()} completed. */
    public InetSocketAddress httpAddress() {
        return listening.getNow(null) == null ? null : listening.join().httpAddress();
    }

    /** The bound HTTPS address; only once {@link #listening()} completed. */
    public InetSocketAddress httpsAddress() {
        return listening.getNow(null) == null ? null : listening.join().httpsAddress();
    }

    /**
     * The node's InternalIP from its Node object, as the address Ingresses get in their status.
     */
    public static Optional<String> internalIp(Node node) {
        if (node == null || node.getStatus() == null || node.getStatus().getAddresses() == null) return Optional.empty();
        for (NodeAddress a : node.getStatus().getAddresses()) {
            if ("InternalIP".equals(a.getType()) && a.getAddress() != null && !a.getAddress().isEmpty()) {
                return Optional.of(a.getAddress());
            }
        }
        return Optional.empty();
    }

    /** Stops listening, then takes this node's address out of every Ingress's status. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        unsubscribe.forEach(Runnable::run);
        rebuilds.shutdownNow();
        IngressProxy running;
        synchronized (this) {
            running = proxy;
        }
        if (running != null) running.close();
        status.stopServing();
        statusController.close();
        Optional<String> address = nodeAddress.get();
        if (address.isEmpty()) return;
        for (Ingress ing : informers.list(Ingress.class)) {
            if (!IngressStatusReconciler.lists(ing, address.get())) continue;
            try {
                status.removeNow(Keys.of(ing), address.get());
            } catch (RuntimeException e) {
                log.warn("ingress {}: cannot remove {} from status.loadBalancer: {}", Keys.of(ing), address.get(),
                        e.toString());
            }
        }
        log.info("ingress controller stopped");
    }
}
