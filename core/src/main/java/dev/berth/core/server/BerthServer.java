package dev.berth.core.server;

import dev.berth.core.apiserver.ApiServer;
import dev.berth.core.apiserver.PatchEngine;
import dev.berth.core.apiserver.SecretEncryption;
import dev.berth.core.apiserver.admission.AdmissionPlugin;
import dev.berth.core.apiserver.admission.CsrSigning;
import dev.berth.core.apiserver.auth.Authenticator;
import dev.berth.core.apiserver.auth.Authorizer;
import dev.berth.core.apiserver.auth.CertificateAuthenticator;
import dev.berth.core.apiserver.auth.TokenAuthenticator;
import dev.berth.core.controller.leaderelection.ApiLeaseLock;
import dev.berth.core.controller.leaderelection.LeaderElectionConfig;
import dev.berth.core.controller.leaderelection.LeaderElector;
import dev.berth.core.datadir.DataDirLock;
import dev.berth.core.pki.ServerPki;
import dev.berth.core.pki.Tls;
import dev.berth.core.store.Store;
import dev.berth.core.store.StoreException;
import dev.berth.core.store.etcd.EtcdStore;
import dev.berth.core.store.sqlite.SqliteStore;
import io.netty.handler.ssl.ClientAuth;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole control plane: data dir lock, PKI, store, API server and the in-process controllers.
 * What {@code berth server} and the desktop app run.
 */
public final class BerthServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BerthServer.class);
    /** Where replicas on one etcd record the fingerprint of the cluster CA they must share. */
    static final String CA_FINGERPRINT_KEY = "/berth/meta/ca-fingerprint";

    private final ServerOptions options;
    private final Clock clock;
    private final LeaderElectionConfig election;
    private DataDirLock lock;
    private Store store;
    private volatile ApiServer api;
    private volatile dev.berth.core.metrics.SummaryScraper metricsScraper;
    /**
     * The in-process controllers' credential: a random bearer token that exists only in this
     * process's memory, so that it never expires and never needs rotating, unlike a certificate.
     */
    private final ProcessToken controllerToken = ProcessToken.random();
    private static final dev.berth.core.pki.Identity CONTROLLER_IDENTITY = new dev.berth.core.pki.Identity(
            "system:kube-controller-manager", List.of("system:masters"));
    private volatile dev.berth.core.pki.CertifiedKey kubeletClient;
    private ServerPki pki;
    private CertificateRotator rotator;
    private InetSocketAddress address;

    /** The options it runs with. */
    public ServerOptions options() {
        return options;
    }

    public BerthServer(ServerOptions options, Clock clock) {
        this(options, clock, LeaderElectionConfig.defaults(LeaderElectionConfig.newIdentity()));
    }

    /** A server competing for the controller manager's Lease as {@code election} says. */
    public BerthServer(ServerOptions options, Clock clock, LeaderElectionConfig election) {
        this.options = options;
        this.clock = clock;
        this.election = java.util.Objects.requireNonNull(election, "election");
    }

    /** Starts everything; when this returns the API answers and admin.kubeconfig is written. */
    public BerthServer start() throws InterruptedException {
        try {
            Files.createDirectories(options.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data dir " + options.dataDir(), e);
        }
        lock = DataDirLock.acquire(options.dataDir());
        try {
            // the certificate names the port, so a free port is picked before the PKI is prepared
            int port = options.listenPort() == 0 ? freePort(options.listenHost()) : options.listenPort();
            pki = ServerPki.prepare(options.dataDir(), options.pkiDir(), options.listenHost(), port,
                    dev.berth.core.pki.ServingCertificate.DEFAULT_KUBERNETES_SERVICE_IP, List.of(),
                    options.certificates(), clock);
            store = openStore();
            List<Authenticator> chain = List.of(
                    new dev.berth.core.apiserver.auth.BootstrapTokenAuthenticator(this::bootstrapTokenSecret, clock),
                    new TokenAuthenticator(token -> controllerToken.matches(token)
                            ? java.util.Optional.of(CONTROLLER_IDENTITY) : pki.tokens().authenticate(token)),
                    new CertificateAuthenticator(pki.ca()));
            List<AdmissionPlugin> admission = new ArrayList<>();
            admission.add(new CsrSigning(pki.ca(), options.certificates().clientLifetime()));
            admission.addAll(Admission.standard());
            api = new ApiServer(new ApiServer.Config(new InetSocketAddress(options.listenHost(), port),
                    options.listenHost() + ":" + port,
                    Tls.serverContext(pki.servingCertificate().certifiedKey(), pki.ca(), ClientAuth.OPTIONAL),
                    store, new SecretEncryption(pki.encryptor()), Authenticator.chain(chain),
                    Authorizer.NODE_RBAC, patchEngine(), options.serviceCidr(), options.nodePortMin(),
                    options.nodePortMax(), options.eventTtl().toSeconds(), clock, admission));
            api.useFlowControl(options.flowControl());
            api.usePodSecurity(options.podSecurity());
            api.useAuditLog(new dev.berth.core.apiserver.audit.AuditLog(options.auditDir(), options.audit(), clock));
            // logs, exec, attach and port-forward reach node agents with the kubelet-client identity
            kubeletClient = dev.berth.core.pki.KubeletClientCertificate.ensure(options.pkiDir(), pki.ca(),
                    options.certificates(), clock);
            var nodeDialer = new dev.berth.core.apiserver.proxy.TlsNodeDialer(pki.ca().certificate(), kubeletClient);
            api.useNodeDialer(nodeDialer);
            // one key in the shared PKI dir, so tokens outlive a restart and every replica accepts them
            api.serviceAccountTokens().useKey(dev.berth.core.apiserver.ServiceAccountTokens.loadOrCreateKey(
                    options.pkiDir().resolve("service-account.key")));
            address = api.start();
            rotator = new CertificateRotator(pki.ca(), options.pkiDir(),
                    ServerPki.servingHosts(options.listenHost(), List.of()),
                    dev.berth.core.pki.ServingCertificate.DEFAULT_KUBERNETES_SERVICE_IP, pki.servingCertificate(),
                    kubeletClient, options.certificates(), clock,
                    serving -> api.useSslContext(Tls.serverContext(serving, pki.ca(), ClientAuth.OPTIONAL)),
                    renewed -> {
                        nodeDialer.useClientCertificate(renewed);
                        kubeletClient = renewed;
                        var scraper = metricsScraper;
                        if (scraper != null) {
                            scraper.useSslContext(dev.berth.core.pki.Tls.clientSSLContext(pki.ca().certificate(), renewed));
                        }
                    }).start();
            startControllers(port);
            return this;
        } catch (RuntimeException | InterruptedException e) {
            close();
            throw e;
        }
    }

    /** A Secret of kube-system, for bootstrap tokens; empty before the API exists. */
    private java.util.Optional<io.fabric8.kubernetes.api.model.Secret> bootstrapTokenSecret(String name) {
        ApiServer server = api;
        if (server == null) return java.util.Optional.empty();
        var type = server.type("", "secrets");
        var found = server.storage().find(type, dev.berth.core.apiserver.auth.BootstrapTokenAuthenticator.NAMESPACE, name);
        return found == null ? java.util.Optional.empty()
                : java.util.Optional.of((io.fabric8.kubernetes.api.model.Secret) server.storage().typed(type, found));
    }

    /**
     * The in-process controllers are API clients with their own identity, like kube-controller-manager.
     * They run only while this replica holds the leader Lease: replicas sharing etcd compete for it,
     * and the others stand by.
     */
    private void startControllers(int port) {
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        io.fabric8.kubernetes.client.Config config = new io.fabric8.kubernetes.client.ConfigBuilder()
                .withMasterUrl("https://" + (options.listenHost().contains(":") ? "[" + options.listenHost() + "]"
                        : options.listenHost().equals("0.0.0.0") ? "127.0.0.1" : options.listenHost()) + ":" + port)
                .withCaCertData(b64.encodeToString(pki.ca().certificatePem().getBytes(StandardCharsets.US_ASCII)))
                .withOauthToken(controllerToken.value())
                .withRequestTimeout(30_000)
                .build();
        controllerClient = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(config).build();
        // every replica scrapes the nodes itself: metrics live in memory and each replica serves its own
        // node agents serve stats only to the API server's kubelet-client identity, with certificates of the cluster CA
        metricsScraper = new dev.berth.core.metrics.SummaryScraper(controllerClient, api.resourceMetrics(), clock,
                dev.berth.core.pki.Tls.clientSSLContext(pki.ca().certificate(), kubeletClient));
        metricsScraper.start();
        // a renewal that hangs must not outlast the renew deadline
        io.fabric8.kubernetes.client.Config electionConfig = new io.fabric8.kubernetes.client.ConfigBuilder(config)
                .withRequestTimeout((int) election.renewDeadline().toMillis())
                .withRequestRetryBackoffLimit(0)
                .build();
        electionClient = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(electionConfig).build();
        electionEvents = new dev.berth.core.controller.runtime.ApiEventRecorder(electionClient, clock,
                dev.berth.core.controller.ControllerManager.COMPONENT);
        elector = new LeaderElector(election, new ApiLeaseLock(electionClient, election.namespace(), election.name()),
                clock, new LeaderElector.Callbacks() {
            @Override
            public void startedLeading() {
                startLeading();
            }

            @Override
            public void stoppedLeading() {
                stopLeading();
            }
        }).start();
    }

    /** Starts the controllers off the election thread: their first lists can take a while on a large store. */
    private synchronized void startLeading() {
        if (closed) {
            return;
        }
        long term = ++leaderTerm;
        controllerStart = Thread.ofVirtual().name("controller-start").start(() -> {
            recordLeaderElection("became leader");
            try {
                var started = dev.berth.core.controller.ControllerManager.start(
                        dev.berth.core.controller.runtime.ControllerContext.create(controllerClient, clock,
                                dev.berth.core.controller.ControllerManager.COMPONENT),
                        pki.ca().certificatePem(), options.clusterCidr());
                synchronized (this) {
                    if (closed || term != leaderTerm) {
                        started.close();
                    } else {
                        controllers = started;
                    }
                }
            } catch (RuntimeException e) {
                if (!closed) {
                    LOG.error("controllers failed to start", e);
                }
            }
        });
    }

    /** Stops the controllers at once: another replica may take over as soon as the lease expires. */
    private void stopLeading() {
        Thread starting;
        dev.berth.core.controller.ControllerManager running;
        synchronized (this) {
            leaderTerm++;
            starting = controllerStart;
            running = controllers;
            controllers = null;
        }
        if (running != null) {
            running.close();
        }
        if (starting != null) {
            try {
                starting.join();   // a manager still starting closes itself: its term is over
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        recordLeaderElection("stopped leading");
    }

    /** As client-go: an Event on the Lease, reason LeaderElection, "IDENTITY became leader". */
    private void recordLeaderElection(String what) {
        try {
            io.fabric8.kubernetes.api.model.coordination.v1.Lease lease = electionClient.leases()
                    .inNamespace(election.namespace()).withName(election.name()).get();
            if (lease != null) {
                electionEvents.normal(lease, "LeaderElection", "%s %s", election.identity(), what);
            }
        } catch (RuntimeException e) {
            LOG.debug("cannot record leader election event: {}", e.toString());
        }
    }

    private Thread controllerStart;
    private boolean closed;
    private boolean stopped;
    private long leaderTerm;

    private io.fabric8.kubernetes.client.KubernetesClient controllerClient;
    private io.fabric8.kubernetes.client.KubernetesClient electionClient;
    private dev.berth.core.controller.runtime.ApiEventRecorder electionEvents;
    private LeaderElector elector;
    private dev.berth.core.controller.ControllerManager controllers;

    /** This replica's part in leader election (null before start). */
    public LeaderElector leaderElection() {
        return elector;
    }

    /** True while this replica holds the leader Lease (its controllers run or are starting). */
    public boolean isLeading() {
        return elector != null && elector.isLeading();
    }

    /** The running controllers, or null while this replica stands by. */
    public synchronized dev.berth.core.controller.ControllerManager controllers() {
        return controllers;
    }

    private static PatchEngine patchEngine() {
        return Admission.patchEngine();
    }

    private Store openStore() {
        switch (options.store()) {
            case "sqlite" -> {
                Path dir = options.dataDir().resolve("store");
                try {
                    Files.createDirectories(dir);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return SqliteStore.open(dir.resolve("berth.db"));
            }
            case "etcd" -> {
                if (options.etcdEndpoints().isEmpty()) {
                    throw new IllegalArgumentException("--etcd-endpoints: required with --store etcd");
                }
                EtcdStore etcd = EtcdStore.connect(options.etcdEndpoints());
                checkSharedCa(etcd);
                return etcd;
            }
            default -> throw new IllegalArgumentException("--store: invalid value \"" + options.store()
                    + "\": must be sqlite or etcd");
        }
    }

    /** Replicas on one etcd must share the cluster CA: the first records it, the others compare. */
    private void checkSharedCa(Store etcd) {
        byte[] mine = pki.ca().fingerprint().getBytes(StandardCharsets.US_ASCII);
        try {
            etcd.create(CA_FINGERPRINT_KEY, mine);
        } catch (StoreException.KeyExists e) {
            byte[] recorded = etcd.get(CA_FINGERPRINT_KEY).orElseThrow().value();
            if (!java.util.Arrays.equals(recorded, mine)) {
                etcd.close();
                throw new IllegalStateException("the cluster CA in " + options.pkiDir() + " (SHA-256 "
                        + pki.ca().fingerprint() + ") differs from the one recorded in etcd (SHA-256 "
                        + new String(recorded, StandardCharsets.US_ASCII) + "): every replica must use the same --pki-dir");
            }
        }
    }

    private static int freePort(String host) {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public InetSocketAddress address() {
        return address;
    }

    public Path adminKubeconfig() {
        return pki.adminKubeconfig();
    }

    public ServerPki pki() {
        return pki;
    }

    /** Renews the serving and kubelet-client certificates (null before start). */
    public CertificateRotator certificates() {
        return rotator;
    }

    public ApiServer api() {
        return api;
    }

    public Store store() {
        return store;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            closed = true;
        }
        if (elector != null) {
            elector.close();   // a leader stops its controllers and releases the lease
        }
        Thread starting;
        dev.berth.core.controller.ControllerManager running;
        synchronized (this) {
            starting = controllerStart;
            running = controllers;
            controllers = null;
        }
        if (running != null) {
            running.close();
        }
        if (starting != null) {
            try {
                starting.join(java.time.Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (rotator != null) {
            rotator.close();
        }
        if (metricsScraper != null) {
            metricsScraper.close();
        }
        if (electionEvents != null) {
            electionEvents.close();
        }
        if (electionClient != null) {
            electionClient.close();
        }
        if (controllerClient != null) {
            controllerClient.close();
        }
        if (api != null) {
            api.close();
        }
        if (store != null) {
            store.close();
        }
        if (lock != null) {
            lock.close();
        }
        LOG.debug("server stopped");
    }

    /** A random bearer token of this process; compared in constant time, never printed. */
    private record ProcessToken(String value) {
        static ProcessToken random() {
            byte[] b = new byte[32];
            new java.security.SecureRandom().nextBytes(b);
            return new ProcessToken(java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b));
        }

        boolean matches(String token) {
            return token != null && java.security.MessageDigest.isEqual(value.getBytes(StandardCharsets.US_ASCII),
                    token.getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        public String toString() {
            return "ProcessToken[hidden]";
        }
    }
}
