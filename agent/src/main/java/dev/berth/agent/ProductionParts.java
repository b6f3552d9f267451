package dev.berth.agent;

import dev.berth.agent.network.HostCommand;
import dev.berth.agent.network.PodNetwork;
import dev.berth.agent.network.PodRoutesReconciler;
import dev.berth.agent.node.NodeStatusReporter;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import dev.berth.agent.podworker.PodStatusSink;
import dev.berth.agent.podworker.PodWorkers;
import dev.berth.agent.podworker.RunningPods;
import dev.berth.agent.prober.DefaultProbes;
import dev.berth.agent.prober.ProbeListener;
import dev.berth.agent.prober.Probes;
import dev.berth.agent.runtime.ContainerRuntime;
import dev.berth.agent.runtime.RuntimeInfo;
import dev.berth.agent.podworker.DefaultPodWorkers;
import dev.berth.agent.podworker.PodWorkerSettings;
import dev.berth.agent.node.HostFacts;
import dev.berth.agent.ingress.IngressController;
import dev.berth.agent.ingress.IngressSettings;
import dev.berth.agent.network.PodNetwork;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import dev.berth.agent.runtime.docker.DockerRuntime;
import dev.berth.agent.volume.PodVolumes;
import dev.berth.agent.volume.DefaultPodVolumes;
import dev.berth.agent.volume.LocalPathCleaner;
import dev.berth.agent.server.AgentServer;
import dev.berth.agent.server.GetHandler;
import dev.berth.agent.stats.CgroupStats;
import dev.berth.agent.stats.SummaryProvider;
import dev.berth.agent.stream.PodStreams;
import dev.berth.core.pki.Pem;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.stream.Collectors;
import dev.berth.core.pki.CertifiedKey;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The real parts of the agent. Each factory is one line once its class is in the build; until then
 * it is listed in {@link #missing()} and {@code berth agent} refuses to start, naming it, rather
 * than pretending to run pods.
 */
public final class ProductionParts implements AgentParts {
    private final boolean podNetworkRules;
    private final IngressSettings ingressSettings;

    /** The parts with the ingress on ports 80 and 443 of every address. */
    public ProductionParts() {
        this(true, IngressSettings.defaults());
    }

    /** The parts with the ingress listening as {@code ingressSettings} say. */
    public ProductionParts(IngressSettings ingressSettings) {
        this(true, ingressSettings);
    }

    private ProductionParts(boolean podNetworkRules, IngressSettings ingressSettings) {
        this.podNetworkRules = podNetworkRules;
        this.ingressSettings = java.util.Objects.requireNonNull(ingressSettings, "ingressSettings");
    }

    /**
     * The real parts, except that the agent leaves the pod network's iptables rules and routes
     * alone: for an agent that shares its network namespace with others that own it, as tests in
     * the machine's own namespace do (they must not change its iptables rules or routes).
     */
    public static ProductionParts withoutPodNetworkRules() {
        return new ProductionParts(false, IngressSettings.defaults());
    }

    @Override
    public NetworkPart podRoutes(Wiring w, ContainerRuntime runtime, PodNetwork podNetwork, NodePart node) {
        if (!podNetworkRules) return NetworkPart.NONE;
        AgentOptions o = w.options();
        HostCommand host = HostCommand.local();
        SharedIndexInformer<Node> nodes = w.informers().of(Node.class);
        PodRoutesReconciler routes = new PodRoutesReconciler(
                new PodRoutesReconciler.Settings(o.nodeName(), o.namePrefix(), o.clusterCidr(), o.serviceCidr(),
                        PodRoutesReconciler.DEFAULT_RESYNC),
                podNetwork, host::run, HostCommand::available, () -> w.informers().list(Node.class),
                name -> w.informers().get(Node.class, name), w.events());
        node.conditions(routes::conditions);
        NetworkPart routesPart = routes.start(nodes);
        NetworkPart policies = networkPolicies(w);
        return () -> {
            try {
                policies.close();
            } finally {
                routesPart.close();
            }
        };
    }

    /** NetworkPolicy enforcement on the pod network, where iptables can be programmed. */
    private static NetworkPart networkPolicies(Wiring w) {
        AgentOptions o = w.options();
        if (!HostCommand.available("iptables-restore") || !HostCommand.available("iptables-save")) {
            org.slf4j.LoggerFactory.getLogger(ProductionParts.class).warn(
                    "node {}: iptables-restore is not installed; NetworkPolicies are not enforced on this node", o.nodeName());
            return NetworkPart.NONE;
        }
        var policies = w.informers().of(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class);
        var pods = w.informers().of(io.fabric8.kubernetes.api.model.Pod.class);
        var namespaces = w.informers().of(io.fabric8.kubernetes.api.model.Namespace.class);
        var source = new dev.berth.agent.network.NetworkPolicyReconciler.Source(
                () -> policies.hasSynced() && pods.hasSynced() && namespaces.hasSynced(),
                () -> policies.getStore().list(), () -> pods.getStore().list(), () -> namespaces.getStore().list());
        return new dev.berth.agent.network.NetworkPolicyReconciler(o.nodeName(), o.namePrefix(), source,
                HostCommand.local(), w.clock()).start(policies, pods, namespaces);
    }

    @Override
    public List<String> missing() {
        return List.of();
    }

    @Override
    public ContainerRuntime runtime(Wiring w) {
        AgentOptions o = w.options();
        return new DockerRuntime(o.dockerHost(), o.namePrefix(), o.nodeName());
    }

    @Override
    public PodVolumes volumes(Wiring w) {
        AgentOptions o = w.options();
        return new DefaultPodVolumes(o.dataDir(), w.client(), w.clock(), o.nodeName());
    }

    @Override
    public Probes probes(Wiring w, ContainerRuntime runtime, ProbeListener listener) {
        DefaultProbes probes = new DefaultProbes(runtime, listener, w.events(), w.clock());
        probes.start();
        return probes;
    }

    @Override
    public PodWorkers podWorkers(Wiring w, ContainerRuntime runtime, PodVolumes volumes,
                                 Function<ProbeListener, Probes> probes, PodStatusSink statusSink) {
        AgentOptions o = w.options();
        String nodeIp = o.nodeIp().map(InetAddress::getHostAddress)
                .or(() -> HostFacts.defaultRouteAddress(Path.of("/proc"))).orElse("127.0.0.1");
        RuntimeInfo info = runtime.info();
        // limits default to what the node can give: its CPUs, and its memory less kubelet's eviction reserve
        Map<String, Quantity> allocatable = Map.of(
                "cpu", new Quantity(Integer.toString(info.cpus())),
                "memory", new Quantity(Long.toString(Math.max(0, info.memoryBytes() - 100L * 1024 * 1024))));
        PodWorkerSettings settings = new PodWorkerSettings(o.nodeName(), nodeIp, o.podNetworkName(), o.clusterDns(),
                o.clusterDomain(), o.dataDir(), allocatable, Duration.ofSeconds(10), Duration.ofSeconds(1));
        DefaultPodWorkers workers = new DefaultPodWorkers(runtime, volumes, probes, statusSink, w.client(), w.events(),
                w.clock(), settings);
        return workers;
    }

    @Override
    public NetworkPart serviceProxy(Wiring w, ContainerRuntime runtime, dev.berth.agent.network.PodNetwork podNetwork,
                                    NodePart node) {
        return dev.berth.agent.proxy.ServiceProxy.start(w, podNetwork, dev.berth.agent.network.HostCommand.local());
    }

    @Override
    public NetworkPart clusterDns(Wiring w, ContainerRuntime runtime, dev.berth.agent.network.PodNetwork podNetwork,
                                  NodePart node) {
        AgentOptions o = w.options();
        var settings = new dev.berth.agent.dns.ClusterDns.Settings(podNetwork.gateway(), dev.berth.agent.dns.ClusterDns.PORT,
                o.clusterDomain(), AgentOptions.requireIp("cluster DNS", o.clusterDns()),
                List.of(o.serviceCidr(), o.clusterCidr()),
                dev.berth.agent.dns.Upstreams.resolve(o.dnsUpstreams(),
                        List.of(dev.berth.agent.dns.Upstreams.RESOLV_CONF, dev.berth.agent.dns.Upstreams.SYSTEMD_RESOLV_CONF)),
                dev.berth.agent.dns.Forwarder.DEFAULT_TIMEOUT, dev.berth.agent.dns.ClusterDns.CACHE_ENTRIES);
        return dev.berth.agent.dns.ClusterDns.start(settings, dev.berth.agent.dns.IndexedClusterView.of(w.informers()),
                w.clock());
    }

    @Override
    public NetworkPart ingress(Wiring w, ContainerRuntime runtime, PodNetwork podNetwork, NodePart node) {
        AgentOptions o = w.options();
        // the address Ingresses get in their status: the Node's InternalIP, else --node-ip
        java.util.function.Supplier<java.util.Optional<String>> address = () -> IngressController
                .internalIp(w.informers().get(io.fabric8.kubernetes.api.model.Node.class, o.nodeName()))
                .or(() -> o.nodeIp().map(InetAddress::getHostAddress));
        return new IngressController(w.client(), w.informers(), ingressSettings, address, w.clock()).start();
    }

    @Override
    public NodePart node(Wiring w, ContainerRuntime runtime, Consumer<String> podCidrChanged) {
        AgentOptions o = w.options();
        NodeStatusReporter reporter = new NodeStatusReporter(w.client(), runtime, o.nodeName(),
                o.nodeIp().map(InetAddress::getHostAddress).orElse(null), o.dataDir(), o.port(), Map.of(), w.clock());
        reporter.onPodCidr(podCidrChanged);
        reporter.start();
        // the directories of this node's released local-path volumes go with their PersistentVolumes
        LocalPathCleaner cleaner = new LocalPathCleaner(w.client(), o.nodeName());
        cleaner.start();
        return new NodePart() {
            @Override
            public void readiness(java.util.function.Supplier<List<String>> check) {
                reporter.readiness(check);
            }

            @Override
            public void conditions(java.util.function.Supplier<List<ExtraCondition>> extra) {
                reporter.conditions(() -> extra.get().stream()
                        .map(c -> new NodeStatusReporter.Extra(c.type(), c.status(), c.reason(), c.message())).toList());
            }

            @Override
            public void close() {
                cleaner.close();
                reporter.close();
            }
        };
    }

    @Override
    public ServerPart server(Wiring w, ContainerRuntime runtime, RunningPods pods, CertifiedKey serving) {
        AgentOptions o = w.options();
        String caPem = w.clusterCas().stream().map(Pem::encode).collect(Collectors.joining());
        Path imageDir = runtime.info().rootDir() == null || runtime.info().rootDir().isBlank()
                ? o.dataDir() : Path.of(runtime.info().rootDir());
        SummaryProvider stats = new SummaryProvider(o.nodeName(), runtime, CgroupStats.host(), o.dataDir(), imageDir,
                w.clock());
        Map<String, GetHandler> handlers = Map.of(
                "/stats/summary", stats.summaryHandler(),
                "/metrics/resource", stats.resourceMetricsHandler(),
                "/healthz", (path, query) -> GetHandler.Response.text(200, "ok"));
        AgentServer server = new AgentServer(new InetSocketAddress(o.port()), serving.certificatePem(),
                serving.privateKeyPem(), caPem, handlers, new PodStreams(pods, runtime, w.clock()), runtime::loadImages);
        InetSocketAddress bound;
        try {
            bound = server.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
            throw new IllegalStateException("interrupted while the agent's server was starting", e);
        }
        return new ServerPart() {
            @Override
            public int port() {
                return bound.getPort();
            }

            @Override
            public void useCertificate(CertifiedKey renewed) {
                server.useCertificate(renewed.certificatePem(), renewed.privateKeyPem(), caPem);
            }

            @Override
            public void close() {
                server.close();
            }
        };
    }
}
