package dev.berth.agent.proxy;

import dev.berth.agent.AgentOptions;
import dev.berth.agent.AgentParts;
import dev.berth.agent.network.HostCommand;
import dev.berth.agent.network.PodNetwork;
import dev.berth.core.controller.runtime.Informers;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The service proxy of a node: keeps the {@link ProxyDataplane} in step with the Services,
 * EndpointSlices and this node's Pods in the shared informers. Informer events only mark the
 * table dirty; one worker thread recomputes the whole table ({@link ProxyModel}, level-triggered)
 * at most every {@link #MIN_INTERVAL}, and asks the dataplane for a full resync every
 * {@link #RESYNC_PERIOD} by the injected clock. Nothing is programmed before the caches have
 * listed everything, so an agent restart never replaces rules with those of an empty cache.
 * Failures are retried with a doubling delay (up to the resync period). The active mode is
 * written to the Node as annotation {@value #MODE_ANNOTATION}.
 */
public final class ServiceProxy implements AgentParts.NetworkPart {
    /** The Node annotation saying which proxy mode is active. */
    public static final String MODE_ANNOTATION = "berth.dev/proxy-mode";
    /** The reason of the Warning event on a Service whose port's protocol this node's proxy mode cannot serve. */
    public static final String UNSUPPORTED_PROTOCOL = "UnsupportedProtocol";
    /** How often the whole rule set is checked against the node's actual rules. */
    public static final Duration RESYNC_PERIOD = Duration.ofSeconds(30);
    /** The shortest time between two programming runs: events in a burst are applied together. */
    public static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(ServiceProxy.class);

    /** Where the objects come from. */
    public interface Source {
        /** True once every cache has listed its objects. */
        boolean synced();

        List<Service> services();

        List<EndpointSlice> endpointSlices();

        List<Pod> pods();
    }

    private final ProxyModel.Settings settings;
    private final Source source;
    private final ProxyDataplane dataplane;
    private final Clock clock;
    private final Consumer<String> modeReporter;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("service-proxy").daemon(true).factory());
    private final AtomicBoolean dirty = new AtomicBoolean();
    private final List<Runnable> undo = new ArrayList<>();
    private volatile boolean closed;
    private Instant nextResync = Instant.MIN;
    private boolean modeReported;
    private Duration retry = FIRST_RETRY;
    private volatile ProxyTable programmed;
    private volatile long programmedCount;

    /**
     * @param modeReporter writes the mode to the Node; may throw, it is called again on the next run
     */
    public ServiceProxy(ProxyModel.Settings settings, Source source, ProxyDataplane dataplane, Clock clock,
                        Consumer<String> modeReporter) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.source = Objects.requireNonNull(source, "source");
        this.dataplane = Objects.requireNonNull(dataplane, "dataplane");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.modeReporter = Objects.requireNonNull(modeReporter, "modeReporter");
    }

    /**
     * The node's service proxy in the mode {@link AgentOptions#proxyMode()} asks for, started.
     *
     * @throws IllegalStateException when the mode is iptables and iptables-restore does not work
     */
    public static ServiceProxy start(AgentParts.Wiring w, PodNetwork podNetwork, HostCommand host) {
        AgentOptions o = w.options();
        SharedIndexInformer<Service> services = w.informers().of(Service.class);
        ProxyDataplane dataplane = dataplane(o, host, w.clock(), (port, message) -> {
            Service service = services.getStore().getByKey(port.namespace() + "/" + port.name());
            if (service != null) w.events().warning(service, UNSUPPORTED_PROTOCOL, "%s", message);
        });
        ProxyModel.Settings settings = new ProxyModel.Settings(o.nodeName(), o.clusterDns(),
                podNetwork.gateway().getHostAddress());
        ServiceProxy proxy = new ServiceProxy(settings, informerSource(w.informers()), dataplane, w.clock(),
                mode -> annotateNode(w.client(), o.nodeName(), mode));
        proxy.start(w.informers());
        return proxy;
    }

    /** The dataplane for {@code options.proxyMode()}: iptables where iptables-restore works (AUTO), or as asked. */
    public static ProxyDataplane dataplane(AgentOptions options, HostCommand host) {
        return dataplane(options, host, Clock.systemUTC(), (port, message) -> {
        });
    }

    /**
     * The dataplane for {@code options.proxyMode()}: iptables where iptables-restore works (AUTO),
     * else userspace; or as asked.
     *
     * @param warnings where the userspace mode reports Service ports it cannot serve
     */
    public static ProxyDataplane dataplane(AgentOptions options, HostCommand host, Clock clock,
                                           UserspaceDataplane.Warnings warnings) {
        IptablesRules rules = new IptablesRules(options.namePrefix(), options.clusterCidr(), options.serviceCidr());
        return switch (options.proxyMode()) {
            case NONE -> new NoProxy();
            case USERSPACE -> userspace(options, host, clock, warnings);
            case IPTABLES -> {
                String why = IptablesDataplane.probe(host, rules.stem());
                if (why != null) {
                    throw new IllegalStateException("proxy mode iptables cannot be used on node " + options.nodeName() + ": "
                            + why + " (use --proxy-mode auto to fall back to userspace)");
                }
                yield new IptablesDataplane(host, rules);
            }
            case AUTO -> {
                String why = IptablesDataplane.probe(host, rules.stem());
                if (why == null) yield new IptablesDataplane(host, rules);
                log.warn("node {}: iptables cannot be programmed ({}); the proxy mode is {}", options.nodeName(), why,
                        UserspaceDataplane.MODE);
                yield userspace(options, host, clock, warnings);
            }
        };
    }

    private static UserspaceDataplane userspace(AgentOptions options, HostCommand host, Clock clock,
                                                UserspaceDataplane.Warnings warnings) {
        return new UserspaceDataplane(
                ServiceAddresses.onInterface(host, ServiceAddresses.interfaceName(options.namePrefix())), clock, warnings);
    }

    /** Services, EndpointSlices and Pods from the shared informers. */
    public static Source informerSource(Informers informers) {
        SharedIndexInformer<Service> services = informers.of(Service.class);
        SharedIndexInformer<EndpointSlice> slices = informers.of(EndpointSlice.class);
        SharedIndexInformer<Pod> pods = informers.of(Pod.class);
        return new Source() {
            @Override
            public boolean synced() {
                return services.hasSynced() && slices.hasSynced() && pods.hasSynced();
            }

            @Override
            public List<Service> services() {
                return services.getStore().list();
            }

            @Override
            public List<EndpointSlice> endpointSlices() {
                return slices.getStore().list();
            }

            @Override
            public List<Pod> pods() {
                return pods.getStore().list();
            }
        };
    }

    /** Writes the mode to the Node: a JSON merge patch of {@code metadata.annotations} only. */
    static void annotateNode(KubernetesClient client, String node, String mode) {
        String patch = client.getKubernetesSerialization().asJson(
                Map.of("metadata", Map.of("annotations", Map.of(MODE_ANNOTATION, mode))));
        client.nodes().withName(node).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    }

    /** Follows the informers' events and programs the table once they have synced. */
    public ServiceProxy start(Informers informers) {
        watch(informers.of(Service.class));
        watch(informers.of(EndpointSlice.class));
        watch(informers.of(Pod.class));
        worker.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
        informers.synced().thenRun(this::requestSync);
        requestSync();
        return this;
    }

    private <T extends io.fabric8.kubernetes.api.model.HasMetadata> void watch(SharedIndexInformer<T> informer) {
        Runnable remove = Informers.onAnyChange(informer, this::requestSync);
        synchronized (undo) {
            undo.add(remove);
        }
    }

    /** Marks the table dirty; a run follows within {@link #MIN_INTERVAL}. Cheap: event handlers call it. */
    public void requestSync() {
        if (closed) return;
        if (dirty.compareAndSet(false, true)) {
            try {
                worker.schedule(this::run, MIN_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        }
    }

    private void tick() {
        if (!clock.instant().isBefore(nextResync)) requestSync();
    }

    private void run() {
        dirty.set(false);
        if (closed) return;
        if (!syncNow()) {
            Duration wait = retry;
            retry = retry.multipliedBy(2).compareTo(RESYNC_PERIOD) > 0 ? RESYNC_PERIOD : retry.multipliedBy(2);
            try {
                worker.schedule(this::requestSync, wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        } else {
            retry = FIRST_RETRY;
        }
    }

    /**
     * One run: reports the mode if not done yet, computes the table and programs it (a full resync
     * when one is due by the clock). Runs on the worker; tests call it directly.
     *
     * @return false when something failed and the run should be retried
     */
    boolean syncNow() {
        boolean ok = true;
        if (!modeReported) {
            try {
                modeReporter.accept(dataplane.mode());
                modeReported = true;
            } catch (RuntimeException e) {
                log.warn("node {}: cannot write annotation {}={}: {}", settings.nodeName(), MODE_ANNOTATION,
                        dataplane.mode(), e.toString());
                ok = false;
            }
        }
        if (!source.synced()) return ok;
        Instant now = clock.instant();
        boolean resync = !now.isBefore(nextResync);
        ProxyTable table = ProxyModel.compute(settings, source.services(), source.endpointSlices(), source.pods());
        try {
            dataplane.program(table, resync);
        } catch (RuntimeException e) {
            log.warn("node {}: programming {} service ports and {} host ports failed, trying again: {}",
                    settings.nodeName(), table.services().size(), table.hostPorts().size(), e.getMessage());
            return false;
        }
        if (resync) nextResync = now.plus(RESYNC_PERIOD);
        programmed = table;
        programmedCount++;
        return ok;
    }

    /** The table last programmed, or null before the first run. */
    public ProxyTable programmed() {
        return programmed;
    }

    /** How many runs have programmed a table so far. */
    public long programmedCount() {
        return programmedCount;
    }

    /** The dataplane in use. */
    public ProxyDataplane dataplane() {
        return dataplane;
    }

    /** Stops following the informers; the rules stay, so a restarted agent takes over without dropping traffic. */
    @Override
    public void close() {
        closed = true;
        synchronized (undo) {
            undo.forEach(Runnable::run);
            undo.clear();
        }
        worker.shutdownNow();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dataplane.close();
    }
}
