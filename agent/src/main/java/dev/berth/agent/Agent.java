package dev.berth.agent;

import dev.berth.agent.AgentParts.NodePart;
import dev.berth.agent.AgentParts.ServerPart;
import dev.berth.agent.AgentParts.Wiring;
import dev.berth.agent.identity.ServingCertificates;
import dev.berth.agent.podworker.PodWorkers;
import dev.berth.agent.podworker.RunningPods;
import dev.berth.agent.runtime.ContainerInfo;
import dev.berth.agent.runtime.ContainerRuntime;
import dev.berth.agent.runtime.RuntimeLabels;
import dev.berth.agent.status.PodStatusWriter;
import dev.berth.agent.volume.PodVolumes;
import dev.berth.core.controller.runtime.ApiEventRecorder;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.agent.network.PodNetwork;
import dev.berth.agent.AgentParts.NetworkPart;
import dev.berth.core.pki.CertifiedKey;
import dev.berth.core.pki.Kubeconfig;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The node agent, composed of its {@link AgentParts}: it checks its privileges, starts the runtime,
 * the status writer, the pod workers and the Node reporter, watches the pods bound to its node
 * ({@code spec.nodeName=NAME}) and hands them to the pod workers (sync on add and update, terminate
 * on delete), removes containers and volumes of pods that are not bound here once its pod cache
 * has synced, makes the pod network from the Node's podCIDR, obtains its serving certificate and
 * then starts its HTTPS server. When a worker reports a pod terminated that has a
 * deletionTimestamp, the agent deletes it with grace period 0 and a uid precondition, as kubelet
 * does. Closing stops everything in reverse order but leaves the pods' containers running: a
 * restarted agent adopts them.
 */
public final class Agent implements AutoCloseable {
    /** The component name on the Events the agent records, as kubelet's. */
    public static final String COMPONENT = "kubelet";
    /** How long the agent gives a container of a pod that is not bound here before killing it. */
    public static final Duration ORPHAN_GRACE = Duration.ofSeconds(5);
    /** How long one serving-certificate request waits for approval before it is asked again. */
    public static final Duration APPROVAL_WAIT = Duration.ofMinutes(5);
    static final Duration RETRY = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(Agent.class);

    private final AgentOptions options;
    private final AgentParts parts;
    private final KubernetesClient client;
    private final boolean ownsClient;
    private final List<X509Certificate> clusterCas;
    private final Privileges.Host host;
    private final Clock clock;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final ScheduledExecutorService background = Executors.newScheduledThreadPool(1,
            Thread.ofPlatform().name("agent-background").daemon(true).factory());
    private final ExecutorService deletions = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("agent-pod-deletions").daemon(true).factory());
    private final CompletableFuture<Void> orphansCleaned = new CompletableFuture<>();
    private final CompletableFuture<ServerPart> serverStarted = new CompletableFuture<>();

    private ApiEventRecorder events;
    private ContainerRuntime runtime;
    private PodStatusWriter statusWriter;
    private PodVolumes volumes;
    private PodWorkers workers;
    private SharedIndexInformer<Pod> pods;
    private ServingCertificates servingCertificates;
    private volatile ServerPart server;
    private volatile String podCidr;
    private Informers informers;
    private Wiring wiring;
    private NodePart node;
    private final List<NetworkPart> networkParts = new ArrayList<>();
    private Thread certificateThread;
    private volatile boolean closed;
    private boolean running;

    /**
     * @param client     the API client, acting as the node ({@code system:node:NAME}); the caller's to close
     * @param clusterCas the cluster CA certificates (from the kubeconfig), for the server to verify clients
     * @param host       the privilege checks ({@link Privileges#system()})
     */
    public Agent(AgentOptions options, AgentParts parts, KubernetesClient client, List<X509Certificate> clusterCas,
                 Privileges.Host host, Clock clock) {
        this(options, parts, client, false, clusterCas, host, clock);
    }

    private Agent(AgentOptions options, AgentParts parts, KubernetesClient client, boolean ownsClient,
                  List<X509Certificate> clusterCas, Privileges.Host host, Clock clock) {
        this.options = options;
        this.parts = parts;
        this.client = client;
        this.ownsClient = ownsClient;
        this.clusterCas = List.copyOf(clusterCas);
        this.host = host;
        this.clock = clock;
    }

    /** An agent acting with the credentials of {@link AgentOptions#kubeconfig()}; it closes its client. */
    public static Agent fromKubeconfig(AgentOptions options, AgentParts parts, Privileges.Host host, Clock clock) {
        Kubeconfig kubeconfig = Kubeconfig.read(options.kubeconfig());
        if (kubeconfig.token() == null && kubeconfig.credentials() instanceof Kubeconfig.ClientCertificate c) {
            String user = c.certifiedKey().certificate().getSubjectX500Principal().getName();
            if (!user.contains("CN=system:node:" + options.nodeName())) {
                log.warn("{} authenticates as {}, not as node {}", options.kubeconfig(), user, options.nodeName());
            }
        }
        Config config;
        try {
            config = Config.fromKubeconfig(Files.readString(options.kubeconfig()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kubeconfig " + options.kubeconfig(), e);
        }
        failFast(config);
        if (!dev.berth.agent.identity.NodeClientCertificates.holdsClientCertificate(kubeconfig)) {
            KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
            return new Agent(options, parts, client, true, kubeconfig.certificateAuthorities(), host, clock);
        }
        // a node's certificate is renewed before it expires; the client presents whichever is current
        var certificates = new dev.berth.agent.identity.NodeClientCertificates(options.kubeconfig(), options.nodeName(),
                dev.berth.core.pki.RotationPolicy.defaults(), clock, dev.berth.agent.identity.NodeClientCertificates.APPROVAL_WAIT);
        KubernetesClient client = certificates.newClient(config);
        Agent agent = new Agent(options, parts, client, true, kubeconfig.certificateAuthorities(), host, clock);
        agent.clientCertificates = certificates;
        return agent;
    }

    /** Renews the node's client certificate, when the agent runs with one from its kubeconfig (else null). */
    private dev.berth.agent.identity.NodeClientCertificates clientCertificates;

    /** The node's client certificate in use, when the agent renews one. */
    public Optional<CertifiedKey> clientCertificate() {
        return clientCertificates == null ? Optional.empty() : Optional.of(clientCertificates.current());
    }

    /** How often the agent's client retries a request that could not reach the API server. */
    static final int API_RETRIES = 1;

    /**
     * Makes a request that cannot reach the API server fail after one quick retry instead of the
     * client's default ten retries with doubling back-off (about 100 s in all). Every caller in the
     * agent retries on its own terms (the status writer, the Node reporter, the informers), and a
     * pod worker that reads Services, ConfigMaps or Secrets to start a container falls back at once
     * to what it read before: with the control plane away, a crashed container is restarted
     * without waiting on the API, as kubelet does with its caches.
     */
    static Config failFast(Config config) {
        config.setRequestRetryBackoffLimit(API_RETRIES);
        return config;
    }

    public AgentOptions options() {
        return options;
    }

    /**
     * Starts the agent and returns once the pod watch runs; the serving certificate and the server
     * follow in the background ({@link #server()}).
     *
     * @throws IllegalStateException naming the missing parts of this build
     * @throws Privileges.MissingPrivilegeException naming the missing privileges
     */
    public synchronized Agent start() {
        if (running) throw new IllegalStateException("agent " + options.nodeName() + " is already started");
        List<String> missing = parts.missing();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("this build of berth cannot run a node agent yet; missing: "
                    + String.join(", ", missing));
        }
        Privileges.require(host, options.dockerHost());
        running = true;
        try {
            events = new ApiEventRecorder(client, clock, COMPONENT);
            started.add(events);
            informers = new Informers(client);
            informers.start();
            started.add(informers);
            Wiring wiring = new Wiring(options, client, clusterCas, events, clock, informers);
            this.wiring = wiring;
            runtime = parts.runtime(wiring);
            started.add(runtime);
            statusWriter = new PodStatusWriter(client, clock).start();
            started.add(statusWriter);
            volumes = parts.volumes(wiring);
            workers = parts.podWorkers(wiring, runtime, volumes, listener -> parts.probes(wiring, runtime, listener),
                    statusWriter);
            started.add(workers);
            workers.onTerminated(pod -> deletions.execute(() -> finishDeletion(pod)));
            node = parts.node(wiring, runtime, cidr -> background.execute(() -> ensurePodNetwork(cidr)));
            // as kubelet with no pod network: the node is not Ready until pods can get an address on it
            node.readiness(() -> podCidr != null ? List.of()
                    : List.of("container runtime network not ready: the pod network is not made yet (waiting for spec.podCIDR)"));
            started.add(node);
            startPodWatch();
            if (clientCertificates != null) {
                clientCertificates.recordEventsWith(events);
                clientCertificates.start(client);
                started.add(clientCertificates);
            }
            startServingCertificate(wiring);
            log.info("agent for node {} started", options.nodeName());
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void startPodWatch() {
        pods = client.pods().inAnyNamespace().withField("spec.nodeName", options.nodeName()).runnableInformer(0);
        pods.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                workers.sync(pod);
            }

            @Override
            public void onUpdate(Pod oldPod, Pod pod) {
                workers.sync(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
                workers.terminate(pod);
                statusWriter.forget(pod.getMetadata().getUid());
            }
        });
        // as kubelet's reflector: keep listing until the API answers, also when it did not at start
        pods.exceptionHandler((isStarted, t) -> {
            if (!closed) log.debug("pod watch of node {} failed, retrying: {}", options.nodeName(), t.toString());
            return !closed;
        });
        started.add(pods::stop);
        pods.start().thenRunAsync(this::cleanUpOrphans, background).whenComplete((v, e) -> {
            if (e != null) {
                log.warn("orphan cleanup failed", e);
                orphansCleaned.completeExceptionally(e);
            } else {
                orphansCleaned.complete(null);
            }
        });
    }

    /** Completes once the containers and volumes of pods not bound here have been removed after the first pod list. */
    public CompletableFuture<Void> orphansCleaned() {
        return orphansCleaned;
    }

    /** Stops and removes the containers, and tears down the volumes, of pods that are not bound to this node. */
    void cleanUpOrphans() {
        Set<String> known = new HashSet<>();
        for (Pod pod : pods.getStore().list()) known.add(pod.getMetadata().getUid());
        known.addAll(workers.podUids());
        List<ContainerInfo> orphans = runtime.listContainers(Map.of()).stream()
                .filter(c -> !known.contains(c.label(RuntimeLabels.POD_UID))).toList();
        // app containers first, the sandbox holding their network last
        List<ContainerInfo> ordered = new ArrayList<>(orphans.stream()
                .filter(c -> !RuntimeLabels.ROLE_SANDBOX.equals(c.label(RuntimeLabels.ROLE))).toList());
        ordered.addAll(orphans.stream().filter(c -> RuntimeLabels.ROLE_SANDBOX.equals(c.label(RuntimeLabels.ROLE))).toList());
        for (ContainerInfo c : ordered) {
            try {
                log.info("removing container {} of pod {}/{} ({}), which is not bound to this node", c.name(),
                        c.label(RuntimeLabels.POD_NAMESPACE), c.label(RuntimeLabels.POD_NAME), c.label(RuntimeLabels.POD_UID));
                runtime.stopContainer(c.id(), ORPHAN_GRACE);
                runtime.removeContainer(c.id());
            } catch (RuntimeException e) {
                log.warn("cannot remove orphaned container {}: {}", c.name(), e.toString());
            }
        }
        for (String uid : volumes.podUidsOnDisk()) {
            if (!known.contains(uid)) {
                try {
                    volumes.tearDown(uid);
                } catch (RuntimeException e) {
                    log.warn("cannot remove the volumes of orphaned pod {}: {}", uid, e.toString());
                }
            }
        }
    }

    /** Makes the pod bridge network from the Node's podCIDR, the first address being the gateway; retried on failure. */
    void ensurePodNetwork(String cidr) {
        if (closed || cidr == null || cidr.isEmpty() || cidr.equals(podCidr)) return;
        String gateway;
        try {
            gateway = gateway(cidr);
        } catch (IllegalArgumentException e) {
            log.warn("node {}: spec.podCIDR {}", options.nodeName(), e.getMessage());
            return;
        }
        try {
            String full = runtime.ensureNetwork(AgentOptions.POD_NETWORK, cidr, gateway);
            startNetworkParts(new PodNetwork(cidr, InetAddress.ofLiteral(gateway), runtime.bridgeInterface(full)));
            podCidr = cidr;
            log.info("node {}: pod network {} on {} (gateway {})", options.nodeName(), options.podNetworkName(), cidr, gateway);
        } catch (RuntimeException e) {
            log.warn("cannot make pod network {} on {}, trying again in {}: {}", options.podNetworkName(), cidr, RETRY,
                    e.toString());
            if (!closed) background.schedule(() -> ensurePodNetwork(cidr), RETRY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Starts routes, the service proxy, the cluster DNS and ingress on the pod network, after
     * stopping those of an earlier pod network (a podCIDR changes only when a Node is recreated).
     */
    private void startNetworkParts(PodNetwork podNetwork) {
        List<NetworkPart> made = new ArrayList<>();
        synchronized (this) {
            if (closed) return;
            for (NetworkPart part : networkParts.reversed()) closeQuietly(part);
            networkParts.clear();
        }
        try {
            made.add(parts.podRoutes(wiring, runtime, podNetwork, node));
            made.add(parts.serviceProxy(wiring, runtime, podNetwork, node));
            made.add(parts.clusterDns(wiring, runtime, podNetwork, node));
            if (options.ingress()) made.add(parts.ingress(wiring, runtime, podNetwork, node));
        } catch (RuntimeException e) {
            for (NetworkPart part : made.reversed()) closeQuietly(part);
            throw e;
        }
        synchronized (this) {
            if (closed) {
                for (NetworkPart part : made.reversed()) closeQuietly(part);
                return;
            }
            networkParts.addAll(made);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.warn("stopping {} failed: {}", c, e.toString());
        }
    }

    /** The status writer, once started (for tests that wait for the pods' statuses to be written). */
    PodStatusWriter statusWriter() {
        return statusWriter;
    }

    /** The pod network's CIDR once it was made. */
    public Optional<String> podCidr() {
        return Optional.ofNullable(podCidr);
    }

    /**
     * The first host address of an IPv4 CIDR, as the bridge's gateway.
     *
     * @throws IllegalArgumentException when {@code cidr} is not an IPv4 network of /8 to /30
     */
    public static String gateway(String cidr) {
        String[] parts = cidr.split("/", -1);
        if (parts.length != 2) throw new IllegalArgumentException("\"" + cidr + "\" is not a CIDR such as 10.42.0.0/24");
        int bits;
        try {
            bits = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + cidr + "\" has prefix length \"" + parts[1] + "\", not a number");
        }
        InetAddress address = AgentOptions.requireIp("podCIDR address", parts[0]);
        byte[] b = address.getAddress();
        if (b.length != 4) throw new IllegalArgumentException("\"" + cidr + "\" is not an IPv4 network");
        if (bits < 8 || bits > 30) throw new IllegalArgumentException("\"" + cidr + "\" must have a prefix length of 8 to 30");
        int value = ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
        int network = value & (int) (0xffffffffL << (32 - bits));
        if (network != value) {
            throw new IllegalArgumentException("\"" + cidr + "\" has host bits set; the network is "
                    + ipv4(network) + "/" + bits);
        }
        return ipv4(network + 1);
    }

    private static String ipv4(int v) {
        return ((v >>> 24) & 0xff) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
    }

    /** A pod's containers are gone: finish its deletion if the API asked for one, as kubelet does. */
    void finishDeletion(Pod terminated) {
        String uid = terminated.getMetadata().getUid();
        String key = terminated.getMetadata().getNamespace() + "/" + terminated.getMetadata().getName();
        Pod latest = pods == null ? null : pods.getStore().getByKey(key);
        Pod pod = latest != null && uid.equals(latest.getMetadata().getUid()) ? latest : terminated;
        if (pod.getMetadata().getDeletionTimestamp() == null) return;
        try {
            deleteNow(pod);
            statusWriter.forget(uid);
        } catch (RuntimeException e) {
            log.warn("cannot finish the deletion of pod {}: {}", key, e.toString());
        }
    }

    /** DELETE with gracePeriodSeconds 0 and a uid precondition: a new pod of the same name is left alone. */
    private void deleteNow(Pod pod) {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        String body = client.getKubernetesSerialization().asJson(new DeleteOptionsBuilder()
                .withApiVersion("v1").withKind("DeleteOptions").withGracePeriodSeconds(0L)
                .withNewPreconditions().withUid(pod.getMetadata().getUid()).endPreconditions().build());
        String url = client.getMasterUrl().toString().replaceAll("/$", "") + "/api/v1/namespaces/"
                + URLEncoder.encode(ns, StandardCharsets.UTF_8) + "/pods/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
        HttpClient http = client.getHttpClient();
        HttpRequest request = http.newHttpRequestBuilder().uri(url).method("DELETE", "application/json", body).build();
        HttpResponse<String> response;
        try {
            response = http.sendAsync(request, String.class).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted deleting pod " + ns + "/" + name, e);
        } catch (Exception e) {
            throw new IllegalStateException("deleting pod " + ns + "/" + name + " failed: " + e.getMessage(), e);
        }
        int code = response.code();
        if (code == 404 || code == 409) {
            log.debug("pod {}/{} ({}) is already gone or replaced", ns, name, pod.getMetadata().getUid());
        } else if (code / 100 != 2) {
            throw new IllegalStateException("deleting pod " + ns + "/" + name + " answered " + code + ": " + response.body());
        } else {
            log.info("pod {}/{} deleted once its containers were removed", ns, name);
        }
    }

    private void startServingCertificate(Wiring wiring) {
        servingCertificates = new ServingCertificates(client, options.nodeName(), this::servingNames, options.pkiDir(),
                clock, APPROVAL_WAIT);
        started.add(servingCertificates);
        RunningPods running = workers instanceof RunningPods r ? r : (namespace, name) -> Optional.empty();
        certificateThread = Thread.ofPlatform().name("agent-serving-certificate").daemon(true).start(() -> {
            while (!closed) {
                try {
                    awaitNodeAddresses();
                    CertifiedKey key = servingCertificates.obtain();
                    if (closed) return;
                    ServerPart s = parts.server(wiring, runtime, running, key);
                    synchronized (this) {
                        if (closed) {
                            s.close();
                            return;
                        }
                        server = s;
                        started.add(s);
                    }
                    servingCertificates.onRenewed(s::useCertificate);
                    serverStarted.complete(s);
                    log.info("agent server listening on port {}", s.port());
                    return;
                } catch (RuntimeException e) {
                    if (closed) return;
                    log.warn("no serving certificate yet, trying again in {}: {}", RETRY, e.getMessage());
                    try {
                        Thread.sleep(RETRY);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        });
    }

    private void awaitNodeAddresses() {
        while (!closed) {
            try {
                client.nodes().withName(options.nodeName()).waitUntilCondition(
                        n -> n != null && n.getStatus() != null && n.getStatus().getAddresses() != null
                                && !n.getStatus().getAddresses().isEmpty(), 1, TimeUnit.MINUTES);
                return;
            } catch (KubernetesClientTimeoutException e) {
                log.info("waiting for node {} to be registered with its addresses", options.nodeName());
            }
        }
    }

    /** The node's name and its addresses as the Node has them: what the certificates controller approves. */
    ServingCertificates.Names servingNames() {
        Set<String> dns = new LinkedHashSet<>();
        Set<InetAddress> ips = new LinkedHashSet<>();
        dns.add(options.nodeName());
        Node node = client.nodes().withName(options.nodeName()).get();
        if (node != null && node.getStatus() != null && node.getStatus().getAddresses() != null) {
            for (NodeAddress a : node.getStatus().getAddresses()) {
                String value = a.getAddress();
                if (value == null || value.isEmpty()) continue;
                if ("InternalIP".equals(a.getType()) || "ExternalIP".equals(a.getType())) {
                    try {
                        ips.add(AgentOptions.requireIp("node address", value));
                    } catch (IllegalArgumentException e) {
                        log.warn("node {}: {}", options.nodeName(), e.getMessage());
                    }
                } else if ("Hostname".equals(a.getType()) || "InternalDNS".equals(a.getType())
                        || "ExternalDNS".equals(a.getType())) {
                    dns.add(value);
                }
            }
        }
        return new ServingCertificates.Names(dns, ips);
    }

    /** Completes with the server once the serving certificate is there and the server listens. */
    public CompletableFuture<ServerPart> server() {
        return serverStarted;
    }

    /** The serving certificate in use, if any. */
    public Optional<CertifiedKey> servingCertificate() {
        return servingCertificates == null ? Optional.empty() : servingCertificates.current();
    }

    /** Stops the server, the pod watch, the Node reporter, the workers, the status writer and the runtime, in that order. */
    @Override
    public void close() {
        List<AutoCloseable> toClose;
        synchronized (this) {
            if (closed) return;
            closed = true;
            toClose = new ArrayList<>(started);
            started.clear();
        }
        if (certificateThread != null) certificateThread.interrupt();
        background.shutdownNow();
        List<NetworkPart> network;
        synchronized (this) {
            network = new ArrayList<>(networkParts);
            networkParts.clear();
        }
        for (NetworkPart part : network.reversed()) closeQuietly(part);
        deletions.shutdown();
        try {
            deletions.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (AutoCloseable c : toClose.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("stopping {} failed: {}", c, e.toString());
            }
        }
        if (ownsClient) client.close();
        log.info("agent for node {} stopped", options.nodeName());
    }
}
