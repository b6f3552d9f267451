package dev.berth.core.server;

import dev.berth.core.pki.CertifiedKey;
import dev.berth.core.pki.ClusterCa;
import dev.berth.core.pki.KubeletClientCertificate;
import dev.berth.core.pki.RotationPolicy;
import dev.berth.core.pki.ServingCertificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Renews the API server's own certificates before they expire, without a restart: its serving
 * certificate (every subjectAltName kept; new TLS handshakes get the new one, open connections and
 * watches keep theirs) and its {@code kubelet-client} certificate towards node agents. Each
 * certificate gets a renewal point drawn once from the {@link RotationPolicy} (80% ± 10% of its
 * life by default); {@link #check()} runs every {@link RotationPolicy#checkEvery()} and compares
 * it with the injected clock. A certificate in its last 10% is logged as a warning once.
 */
public final class CertificateRotator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateRotator.class);

    private final ClusterCa ca;
    private final Path pkiDir;
    private final Collection<String> listenHosts;
    private final InetAddress kubernetesServiceIp;
    private final RotationPolicy policy;
    private final Clock clock;
    private final RandomGenerator random;
    private final Consumer<CertifiedKey> servingSink;
    private final Consumer<CertifiedKey> kubeletClientSink;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("certificate-rotation").daemon(true).factory());

    private ServingCertificate serving;
    private Instant servingDeadline;
    private CertifiedKey kubeletClient;
    private Instant kubeletClientDeadline;
    private X509Certificate warnedAbout;

    /**
     * @param servingSink       takes each renewed serving certificate into use (the API server's TLS context)
     * @param kubeletClientSink takes each renewed kubelet-client certificate into use (the node dialer)
     */
    public CertificateRotator(ClusterCa ca, Path pkiDir, Collection<String> listenHosts, InetAddress kubernetesServiceIp,
                              ServingCertificate serving, CertifiedKey kubeletClient, RotationPolicy policy, Clock clock,
                              Consumer<CertifiedKey> servingSink, Consumer<CertifiedKey> kubeletClientSink) {
        this.ca = ca;
        this.pkiDir = pkiDir;
        this.listenHosts = List.copyOf(listenHosts);
        this.kubernetesServiceIp = kubernetesServiceIp;
        this.policy = policy;
        this.clock = clock;
        this.random = new SecureRandom();
        this.servingSink = Objects.requireNonNull(servingSink, "servingSink");
        this.kubeletClientSink = Objects.requireNonNull(kubeletClientSink, "kubeletClientSink");
        this.serving = serving;
        this.servingDeadline = policy.deadline(serving.certifiedKey().certificate(), random);
        this.kubeletClient = kubeletClient;
        this.kubeletClientDeadline = policy.deadline(kubeletClient.certificate(), random);
    }

    /** Checks now and then every {@link RotationPolicy#checkEvery()}. */
    public CertificateRotator start() {
        long every = policy.checkEvery().toMillis();
        timer.scheduleWithFixedDelay(this::checkQuietly, 0, every, TimeUnit.MILLISECONDS);
        LOG.info("serving certificate {} valid until {}, renewed from {}", serial(serving.certifiedKey().certificate()),
                serving.certifiedKey().certificate().getNotAfter().toInstant(), servingDeadline);
        return this;
    }

    /** The serving certificate in use. */
    public synchronized ServingCertificate serving() {
        return serving;
    }

    /** When the serving certificate in use will be renewed. */
    public synchronized Instant servingDeadline() {
        return servingDeadline;
    }

    /** The kubelet-client certificate in use. */
    public synchronized CertifiedKey kubeletClient() {
        return kubeletClient;
    }

    /** Renews what is due at the clock's current time. */
    public synchronized void check() {
        Instant now = clock.instant();
        if (!now.isBefore(servingDeadline)) {
            X509Certificate old = serving.certifiedKey().certificate();
            ServingCertificate renewed = serving.renew(ca, listenHosts, kubernetesServiceIp, policy.servingLifetime(),
                    "it reached its renewal point " + servingDeadline);
            servingSink.accept(renewed.certifiedKey());
            serving = renewed;
            X509Certificate now509 = renewed.certifiedKey().certificate();
            servingDeadline = policy.deadline(now509, random);
            LOG.info("rotated the serving certificate: serial {} (valid until {}) replaces {} (valid until {});"
                            + " new connections get the new one, open ones keep theirs; next renewal from {}",
                    serial(now509), now509.getNotAfter().toInstant(), serial(old), old.getNotAfter().toInstant(),
                    servingDeadline);
        }
        if (!now.isBefore(kubeletClientDeadline)) {
            CertifiedKey renewed = KubeletClientCertificate.renew(pkiDir, ca, policy.clientLifetime());
            kubeletClientSink.accept(renewed);
            kubeletClient = renewed;
            kubeletClientDeadline = policy.deadline(renewed.certificate(), random);
            LOG.info("rotated the kubelet-client certificate: serial {} valid until {}",
                    serial(renewed.certificate()), renewed.certificate().getNotAfter().toInstant());
        }
        X509Certificate current = serving.certifiedKey().certificate();
        if (RotationPolicy.expiringSoon(current, now) && current != warnedAbout) {
            warnedAbout = current;
            LOG.warn("the serving certificate {} expires at {}, within the last {}% of its life, and was not renewed;"
                            + " clients will refuse the API server after that", serial(current),
                    current.getNotAfter().toInstant(), (int) (RotationPolicy.WARN_FRACTION * 100));
        }
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            LOG.warn("renewing the API server's certificates failed, trying again in {}: {}", policy.checkEvery(),
                    e.toString());
        }
    }

    static String serial(X509Certificate certificate) {
        return certificate.getSerialNumber().toString(16);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
