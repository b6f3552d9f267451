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
    private DataDirLock lock;
    private Store store;
    private ApiServer api;
    private ServerPki pki;
    private InetSocketAddress address;

    public BerthServer(ServerOptions options, Clock clock) {
        this.options = options;
        this.clock = clock;
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
                    dev.berth.core.pki.ServingCertificate.DEFAULT_KUBERNETES_SERVICE_IP, List.of(), clock);
            store = openStore();
            List<Authenticator> chain = List.of(new TokenAuthenticator(pki.tokens()::authenticate),
                    new CertificateAuthenticator(pki.ca()));
            List<AdmissionPlugin> admission = new ArrayList<>();
            admission.add(new CsrSigning(pki.ca()));
            admission.addAll(Admission.standard());
            api = new ApiServer(new ApiServer.Config(new InetSocketAddress(options.listenHost(), port),
                    options.listenHost() + ":" + port,
                    Tls.serverContext(pki.servingCertificate().certifiedKey(), pki.ca(), ClientAuth.OPTIONAL),
                    store, new SecretEncryption(pki.encryptor()), Authenticator.chain(chain),
                    Authorizer.ALLOW_AUTHENTICATED, patchEngine(), options.serviceCidr(), options.nodePortMin(),
                    options.nodePortMax(), options.eventTtl().toSeconds(), clock, admission));
            address = api.start();
            startControllers(port);
            return this;
        } catch (RuntimeException | InterruptedException e) {
            close();
            throw e;
        }
    }

    /** The in-process controllers are API clients with their own identity, like kube-controller-manager. */
    private void startControllers(int port) {
        dev.berth.core.pki.CertifiedKey id = pki.ca().issueClient("system:kube-controller-manager",
                List.of("system:masters"), java.time.Duration.ofDays(365));
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        io.fabric8.kubernetes.client.Config config = new io.fabric8.kubernetes.client.ConfigBuilder()
                .withMasterUrl("https://" + (options.listenHost().contains(":") ? "[" + options.listenHost() + "]"
                        : options.listenHost().equals("0.0.0.0") ? "127.0.0.1" : options.listenHost()) + ":" + port)
                .withCaCertData(b64.encodeToString(pki.ca().certificatePem().getBytes(StandardCharsets.US_ASCII)))
                .withClientCertData(b64.encodeToString(id.certificatePem().getBytes(StandardCharsets.US_ASCII)))
                .withClientKeyData(b64.encodeToString(id.privateKeyPem().getBytes(StandardCharsets.US_ASCII)))
                .withClientKeyAlgo("EC")
                .withRequestTimeout(30_000)
                .build();
        controllerClient = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(config).build();
        // the controllers' first lists can take a while on a large store: the API is ready before them
        controllerStart = Thread.ofVirtual().name("controller-start").start(() -> {
            try {
                var started = dev.berth.core.controller.ControllerManager.start(controllerClient, clock);
                synchronized (this) {
                    if (closed) {
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

    private Thread controllerStart;
    private boolean closed;

    private io.fabric8.kubernetes.client.KubernetesClient controllerClient;
    private dev.berth.core.controller.ControllerManager controllers;

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

    public ApiServer api() {
        return api;
    }

    public Store store() {
        return store;
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (controllers != null) {
                controllers.close();
            }
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
}
