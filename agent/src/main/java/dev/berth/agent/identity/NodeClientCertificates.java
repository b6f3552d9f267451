package dev.berth.agent.identity;

import dev.berth.core.pki.CertifiedKey;
import dev.berth.core.pki.Kubeconfig;
import dev.berth.core.pki.PkiException;
import dev.berth.core.pki.RotationPolicy;
import dev.berth.core.pki.Tls;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The node's client certificate, renewed before it expires as kubelet does with
 * {@code --rotate-certificates}: at a renewal point drawn once per certificate (70 to 90% of its
 * life by default), the agent makes a new key and sends a {@code kube-apiserver-client-kubelet}
 * CertificateSigningRequest for {@code CN=system:node:NAME, O=system:nodes}, authenticated with its
 * current certificate; the control plane approves it because the requester is that same node. The
 * new pair replaces the kubeconfig atomically (mode 0600), and the API client switches to it:
 * requests from then on go over new connections with the new certificate, while watches already
 * open go on ({@link #newClient}). A failed renewal is tried again at the next check; the old certificate is used
 * until then. A certificate within its last 10% is reported as a warning each check.
 */
public final class NodeClientCertificates implements AutoCloseable {
    /** How long one renewal waits for approval and signing. */
    public static final Duration APPROVAL_WAIT = Duration.ofMinutes(5);
    private static final Logger log = LoggerFactory.getLogger(NodeClientCertificates.class);

    private final Path kubeconfigFile;
    private final Kubeconfig kubeconfig;
    private final String nodeName;
    private final RotationPolicy policy;
    private final Clock clock;
    private final Duration approvalWait;
    private final RandomGenerator random = new SecureRandom();
    private Config config;
    private RotatingHttpClient http;
    private final List<Consumer<CertifiedKey>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("client-certificate").daemon(true).factory());
    private volatile CertifiedKey current;
    private volatile Instant deadline;
    private KubernetesClient client;
    private volatile dev.berth.core.controller.runtime.EventRecorder events;

    /**
     * @param kubeconfigFile the node's kubeconfig, with a client certificate; rewritten on each renewal
     * @param policy         when to renew ({@link RotationPolicy#checkEvery()} is how often to look)
     * @throws PkiException when the kubeconfig holds no client certificate
     */
    public NodeClientCertificates(Path kubeconfigFile, String nodeName, RotationPolicy policy, Clock clock,
                                  Duration approvalWait) {
        this.kubeconfigFile = kubeconfigFile;
        this.kubeconfig = Kubeconfig.read(kubeconfigFile);
        if (!(kubeconfig.credentials() instanceof Kubeconfig.ClientCertificate c)) {
            throw new PkiException(kubeconfigFile + " holds no client certificate to renew");
        }
        this.nodeName = NodeCredentials.requireValidNodeName(nodeName);
        this.policy = policy;
        this.clock = clock;
        this.approvalWait = approvalWait;
        use(c.certifiedKey());
    }

    /** Whether {@code kubeconfigFile}'s credentials are a client certificate (as opposed to a token). */
    public static boolean holdsClientCertificate(Kubeconfig kubeconfig) {
        return kubeconfig.token() == null && kubeconfig.credentials() instanceof Kubeconfig.ClientCertificate;
    }

    /**
     * An API client for {@code config} (read from the kubeconfig) that follows the renewals: each
     * certificate gets an HTTP client of its own; requests go to the newest, while watches opened
     * through an older one go on over their connections until that older certificate expires, when
     * its client is closed and the watches resume through the newest (as informers do after any
     * dropped connection, from their last resourceVersion).
     */
    public synchronized KubernetesClient newClient(Config config) {
        if (http != null) throw new IllegalStateException("newClient was called already");
        this.config = config;
        this.http = new RotatingHttpClient(httpClientFor(current));
        return new io.fabric8.kubernetes.client.impl.KubernetesClientImpl(http, config);
    }

    private io.fabric8.kubernetes.client.http.HttpClient httpClientFor(CertifiedKey key) {
        KeyManager[] keyManagers = {new FixedKeyManager(key)};
        var trustManagers = Tls.trustManagers(kubeconfig.certificateAuthorities());
        return io.fabric8.kubernetes.client.utils.HttpClientUtils.getHttpClientFactory().newBuilder(config)
                .sslContext(keyManagers, trustManagers).build();
    }

    /** Starts looking every {@link RotationPolicy#checkEvery()}, renewing through {@code client}. */
    public synchronized NodeClientCertificates start(KubernetesClient client) {
        this.client = Objects.requireNonNull(client, "client");
        long every = policy.checkEvery().toMillis();
        timer.scheduleWithFixedDelay(this::checkQuietly, every, every, TimeUnit.MILLISECONDS);
        log.info("client certificate of node {} valid until {}, renewed from {}", nodeName,
                current.certificate().getNotAfter().toInstant(), deadline);
        return this;
    }

    /** Records a Warning event on the Node when the certificate nears expiry unrenewed, and a Normal one per renewal. */
    public void recordEventsWith(dev.berth.core.controller.runtime.EventRecorder recorder) {
        this.events = recorder;
    }

    private void event(String type, String reason, String message) {
        var recorder = events;
        if (recorder == null) return;
        try {
            // as kubelet, the Node's events carry the node name as uid
            recorder.event(new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata().withName(nodeName)
                    .withUid(nodeName).endMetadata().build(), type, reason, message);
        } catch (RuntimeException e) {
            log.debug("cannot record event {}: {}", reason, e.toString());
        }
    }

    /** Called with each renewed certificate, after the kubeconfig is written and the client switched. */
    public void onRenewed(Consumer<CertifiedKey> listener) {
        listeners.add(listener);
    }

    /** The certificate new connections present. */
    public CertifiedKey current() {
        return current;
    }

    /** When the current certificate will be renewed. */
    public Instant deadline() {
        return deadline;
    }

    /** Renews the certificate when its renewal point has passed at the clock's current time. */
    public synchronized void check() {
        Instant now = clock.instant();
        if (http != null) http.retireExpired(now);
        X509Certificate certificate = current.certificate();
        if (now.isBefore(deadline)) {
            return;
        }
        if (RotationPolicy.expiringSoon(certificate, now)) {
            String message = "the client certificate of node " + nodeName + " expires at "
                    + certificate.getNotAfter().toInstant() + " and is not renewed yet; after that the API server refuses this node";
            log.warn(message);
            event("Warning", "ClientCertificateExpiring", message);
        }
        KeyPair keyPair = ServingCertificates.newKeyPair();
        X509Certificate renewed = NodeBootstrap.requestClientCertificate(client, nodeName, keyPair, approvalWait);
        CertifiedKey next = new CertifiedKey(renewed, keyPair.getPrivate());
        new Kubeconfig(kubeconfig.clusterName(), kubeconfig.server(), kubeconfig.certificateAuthorities(),
                kubeconfig.userName(), new Kubeconfig.ClientCertificate(next)).write(kubeconfigFile);
        use(next);
        if (http != null) http.rotate(httpClientFor(next), certificate.getNotAfter().toInstant());
        log.info("rotated the client certificate of node {}: serial {} valid until {} replaces serial {} (valid until {});"
                        + " next renewal from {}", nodeName, renewed.getSerialNumber().toString(16),
                renewed.getNotAfter().toInstant(), certificate.getSerialNumber().toString(16),
                certificate.getNotAfter().toInstant(), deadline);
        event("Normal", "ClientCertificateRotated", "client certificate renewed: serial "
                + renewed.getSerialNumber().toString(16) + " valid until " + renewed.getNotAfter().toInstant());
        for (Consumer<CertifiedKey> listener : listeners) {
            listener.accept(next);
        }
    }

    private void use(CertifiedKey key) {
        current = key;
        deadline = policy.deadline(key.certificate(), random);
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            log.warn("renewing the client certificate of node {} failed, trying again in {}: {}", nodeName,
                    policy.checkEvery(), e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** Presents one certificate, whatever the handshake asks. */
    private static final class FixedKeyManager extends X509ExtendedKeyManager {
        private static final String ALIAS = "node";
        private final CertifiedKey key;

        private final X509Certificate certificate;
        private final PrivateKey privateKey;

        FixedKeyManager(CertifiedKey key) {
            this.key = key;
            this.certificate = jdkCertificate(key.certificate());
            this.privateKey = jdkPrivateKey(key.privateKey());
        }

        /*
         * The TLS stack matches keys by algorithm name: it takes "EC", while BouncyCastle's objects say
         * "ECDSA" (they are what a PEM reads as when BouncyCastle is the first provider of the
         * process). The same key and certificate, decoded by the JDK's own providers, always match.
         */
        private static PrivateKey jdkPrivateKey(PrivateKey k) {
            try {
                String algorithm = k.getAlgorithm().equals("ECDSA") ? "EC" : k.getAlgorithm();
                return java.security.KeyFactory.getInstance(algorithm, algorithm.equals("EC") ? "SunEC" : "SunRsaSign")
                        .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(k.getEncoded()));
            } catch (java.security.GeneralSecurityException e) {
                return k;
            }
        }

        private static X509Certificate jdkCertificate(X509Certificate c) {
            try {
                return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509", "SUN")
                        .generateCertificate(new java.io.ByteArrayInputStream(c.getEncoded()));
            } catch (java.security.GeneralSecurityException e) {
                return c;
            }
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? new X509Certificate[] {certificate} : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? privateKey : null;
        }
    }

    /**
     * The API client's HTTP client: new requests and watches go through the client of the newest
     * certificate; clients of older certificates stay open for what they carry (watches) until
     * their certificate expires. Pooled connections are never reused across a renewal, so no
     * request goes out with an old certificate once a new one is there.
     */
    static final class RotatingHttpClient implements io.fabric8.kubernetes.client.http.HttpClient {
        private record Retired(io.fabric8.kubernetes.client.http.HttpClient client, Instant expires) {}

        private volatile io.fabric8.kubernetes.client.http.HttpClient current;
        private final List<Retired> retired = new CopyOnWriteArrayList<>();
        private volatile boolean closed;

        RotatingHttpClient(io.fabric8.kubernetes.client.http.HttpClient first) {
            this.current = first;
        }

        void rotate(io.fabric8.kubernetes.client.http.HttpClient next, Instant oldExpires) {
            retired.add(new Retired(current, oldExpires));
            current = next;
        }

        void retireExpired(Instant now) {
            for (Retired r : retired) {
                if (now.isAfter(r.expires())) {
                    retired.remove(r);
                    r.client().close();
                }
            }
        }

        @Override
        public void close() {
            closed = true;
            current.close();
            retired.forEach(r -> r.client().close());
            retired.clear();
        }

        @Override
        public DerivedClientBuilder newBuilder() {
            return current.newBuilder();
        }

        @Override
        public <T> java.util.concurrent.CompletableFuture<io.fabric8.kubernetes.client.http.HttpResponse<T>> sendAsync(
                io.fabric8.kubernetes.client.http.HttpRequest request, Class<T> type) {
            return current.sendAsync(request, type);
        }

        @Override
        public java.util.concurrent.CompletableFuture<io.fabric8.kubernetes.client.http.HttpResponse<
                io.fabric8.kubernetes.client.http.AsyncBody>> consumeBytes(
                io.fabric8.kubernetes.client.http.HttpRequest request,
                io.fabric8.kubernetes.client.http.AsyncBody.Consumer<List<java.nio.ByteBuffer>> consumer) {
            return current.consumeBytes(request, consumer);
        }

        @Override
        public io.fabric8.kubernetes.client.http.WebSocket.Builder newWebSocketBuilder() {
            return current.newWebSocketBuilder();
        }

        @Override
        public io.fabric8.kubernetes.client.http.HttpRequest.Builder newHttpRequestBuilder() {
            return current.newHttpRequestBuilder();
        }

        @Override
        public boolean isClosed() {
            return closed;
        }
    }
}
