package dev.berth.agent.identity;

import dev.berth.core.pki.CertifiedKey;
import dev.berth.core.pki.Pem;
import dev.berth.core.pki.PkiException;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The agent's serving certificate for its HTTPS port, obtained as kubelet does with
 * {@code --rotate-server-certificates}: a new P-256 key, a certificate request for
 * {@code CN=system:node:NAME, O=system:nodes} with the node's addresses and host name as
 * subjectAltNames, sent as a {@code certificates.k8s.io/v1} CertificateSigningRequest with signer
 * {@code kubernetes.io/kubelet-serving}; once approved and signed, key and certificate are kept in
 * the agent's pki directory (mode 0600) and renewed at a point drawn from 70 to 90% of the certificate's life
 * ({@link dev.berth.core.pki.RotationPolicy}); servers made with it take each new one into use through
 * {@link #onRenewed}, for connections made from then on.
 */
public final class ServingCertificates implements AutoCloseable {
    public static final String SIGNER = "kubernetes.io/kubelet-serving";
    public static final List<String> USAGES = List.of("digital signature", "key encipherment", "server auth");
    public static final String CERTIFICATE_FILE = "kubelet-server.crt";
    public static final String KEY_FILE = "kubelet-server.key";
    /** Fraction of a certificate's life after which it is renewed. */
    public static final double RENEW_AT = 0.8;
    /** How long to wait before trying again after a failed renewal. */
    public static final Duration RETRY = Duration.ofMinutes(1);

    private static final Logger log = LoggerFactory.getLogger(ServingCertificates.class);

    /** The names the certificate must cover. */
    public record Names(Set<String> dnsNames, Set<InetAddress> ips) {
        public Names {
            dnsNames = Set.copyOf(new LinkedHashSet<>(dnsNames.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList()));
            ips = Set.copyOf(ips);
        }
    }

    private final KubernetesClient client;
    private final String nodeName;
    private final Supplier<Names> names;
    private final Path pkiDir;
    private final Clock clock;
    private final Duration approvalTimeout;
    private final List<Consumer<CertifiedKey>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("serving-certificate").daemon(true).factory());
    private volatile CertifiedKey current;
    private final dev.berth.core.pki.RotationPolicy policy;
    private final java.util.random.RandomGenerator random = new java.security.SecureRandom();
    private volatile Instant deadline;
    private volatile boolean checking;

    /**
     * @param names           what the certificate must cover, asked again on each renewal
     * @param approvalTimeout how long one request waits for approval and signing
     */
    public ServingCertificates(KubernetesClient client, String nodeName, Supplier<Names> names, Path pkiDir,
                               Clock clock, Duration approvalTimeout) {
        this(client, nodeName, names, pkiDir, clock, approvalTimeout, dev.berth.core.pki.RotationPolicy.defaults());
    }

    /**
     * @param policy when a certificate is renewed (a jittered point, 70 to 90% of its life by
     *               default) and how often the clock is compared with it
     */
    public ServingCertificates(KubernetesClient client, String nodeName, Supplier<Names> names, Path pkiDir,
                               Clock clock, Duration approvalTimeout, dev.berth.core.pki.RotationPolicy policy) {
        this.policy = policy;
        this.client = client;
        this.nodeName = NodeCredentials.requireValidNodeName(nodeName);
        this.names = names;
        this.pkiDir = pkiDir;
        this.clock = clock;
        this.approvalTimeout = approvalTimeout;
    }

    public Path certificateFile() {
        return pkiDir.resolve(CERTIFICATE_FILE);
    }

    public Path keyFile() {
        return pkiDir.resolve(KEY_FILE);
    }

    /** The certificate in use, if any. */
    public Optional<CertifiedKey> current() {
        return Optional.ofNullable(current);
    }

    /** Called with each new certificate (after a renewal), for the server to use it. */
    public void onRenewed(Consumer<CertifiedKey> listener) {
        listeners.add(listener);
    }

    /**
     * The certificate kept in the pki directory when it still covers the node's names and is not
     * due for renewal, else a new one through a CertificateSigningRequest (blocking until it is
     * approved and signed, up to the approval timeout). Schedules the renewal.
     *
     * @throws IllegalStateException when the request was denied, failed or not approved in time,
     *                               naming the request so that a person can approve it
     */
    public CertifiedKey obtain() {
        Names wanted = names.get();
        CertifiedKey kept = load().filter(k -> usable(k.certificate(), wanted, clock.instant())).orElse(null);
        if (kept == null) {
            kept = request(wanted);
            store(kept);
        } else {
            log.info("using serving certificate {} (valid until {})", certificateFile(),
                    kept.certificate().getNotAfter().toInstant());
        }
        current = kept;
        scheduleRenewal(kept);
        return kept;
    }

    /** When a certificate is due for renewal: at {@link #RENEW_AT} of its life. */
    public static Instant renewAt(X509Certificate certificate) {
        Instant from = certificate.getNotBefore().toInstant();
        Instant to = certificate.getNotAfter().toInstant();
        long life = Duration.between(from, to).toMillis();
        return from.plusMillis((long) (life * RENEW_AT));
    }

    /** Whether {@code certificate} may still be used at {@code now} for {@code wanted}. */
    public static boolean usable(X509Certificate certificate, Names wanted, Instant now) {
        if (now.isBefore(certificate.getNotBefore().toInstant()) || !now.isBefore(renewAt(certificate))) {
            return false;
        }
        Set<String> dns = new HashSet<>();
        Set<InetAddress> ips = new HashSet<>();
        try {
            Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    int type = (Integer) san.get(0);
                    String value = (String) san.get(1);
                    if (type == GeneralName.dNSName) dns.add(value.toLowerCase(Locale.ROOT));
                    if (type == GeneralName.iPAddress) ips.add(InetAddress.ofLiteral(value));
                }
            }
        } catch (CertificateParsingException | IllegalArgumentException e) {
            return false;
        }
        return dns.containsAll(wanted.dnsNames()) && ips.containsAll(wanted.ips());
    }

    private Optional<CertifiedKey> load() {
        Path cert = certificateFile();
        Path key = keyFile();
        if (!Files.isRegularFile(cert) || !Files.isRegularFile(key)) return Optional.empty();
        try {
            X509Certificate certificate = Pem.parseCertificate(Files.readString(cert), cert.toString());
            var privateKey = Pem.parsePrivateKey(Files.readString(key), key.toString());
            return Optional.of(new CertifiedKey(certificate, privateKey));
        } catch (IOException | PkiException | IllegalArgumentException e) {
            log.warn("ignoring the kept serving certificate: {}", e.getMessage());
            return Optional.empty();
        }
    }

    private CertifiedKey request(Names wanted) {
        KeyPair keyPair = newKeyPair();
        String pem = certificateRequestPem(nodeName, wanted, keyPair);
        CertificateSigningRequest csr = new CertificateSigningRequestBuilder()
                .withNewMetadata().withGenerateName("csr-").endMetadata()
                .withNewSpec()
                .withRequest(Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)))
                .withSignerName(SIGNER)
                .withUsages(USAGES)
                .endSpec()
                .build();
        var csrs = client.certificates().v1().certificateSigningRequests();
        String name = csrs.resource(csr).create().getMetadata().getName();
        log.info("requested a serving certificate for {} {} as certificatesigningrequest {}; waiting for approval",
                wanted.dnsNames(), wanted.ips().stream().map(InetAddress::getHostAddress).toList(), name);
        CertificateSigningRequest done;
        try {
            done = csrs.withName(name).waitUntilCondition(
                    c -> c == null || c.getStatus() != null && (notEmpty(c.getStatus().getCertificate())
                            || refusal(c).isPresent()),
                    approvalTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (KubernetesClientTimeoutException e) {
            throw new IllegalStateException("certificatesigningrequest " + name + " was not approved within "
                    + approvalTimeout + "; approve it with: kubectl certificate approve " + name, e);
        }
        if (done == null) {
            throw new IllegalStateException("certificatesigningrequest " + name + " was deleted before it was signed");
        }
        Optional<String> refused = refusal(done);
        if (refused.isPresent() && !notEmpty(done.getStatus().getCertificate())) {
            throw new IllegalStateException("certificatesigningrequest " + name + " " + refused.get());
        }
        String certPem = new String(Base64.getDecoder().decode(done.getStatus().getCertificate()), StandardCharsets.US_ASCII);
        X509Certificate certificate = Pem.parseCertificate(certPem, "certificatesigningrequest " + name);
        if (!certificate.getPublicKey().equals(keyPair.getPublic())) {
            throw new IllegalStateException("certificatesigningrequest " + name + " holds a certificate for another key");
        }
        log.info("serving certificate issued by {} valid until {}", certificate.getIssuerX500Principal().getName(),
                certificate.getNotAfter().toInstant());
        return new CertifiedKey(certificate, keyPair.getPrivate());
    }

    /** A PEM PKCS#10 request for {@code CN=system:node:NAME, O=system:nodes} with the names as subjectAltNames. */
    public static String certificateRequestPem(String nodeName, Names wanted, KeyPair keyPair) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, NodeCredentials.GROUP)
                .addRDN(BCStyle.CN, NodeCredentials.userName(nodeName))
                .build();
        List<GeneralName> sans = new ArrayList<>();
        wanted.dnsNames().stream().sorted().forEach(d -> sans.add(new GeneralName(GeneralName.dNSName, d)));
        wanted.ips().stream().map(InetAddress::getHostAddress).sorted()
                .forEach(ip -> sans.add(new GeneralName(GeneralName.iPAddress, ip)));
        try {
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(sans.toArray(GeneralName[]::new)));
            PKCS10CertificationRequest request = new JcaPKCS10CertificationRequestBuilder(subject, keyPair.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate()));
            StringWriter out = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
                writer.writeObject(request);
            }
            return out.toString();
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot build the certificate request for node " + nodeName + ": " + e.getMessage(), e);
        }
    }

    /** A new P-256 key pair. */
    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a P-256 key: " + e.getMessage(), e);
        }
    }

    private static Optional<String> refusal(CertificateSigningRequest csr) {
        if (csr.getStatus() == null || csr.getStatus().getConditions() == null) return Optional.empty();
        for (CertificateSigningRequestCondition c : csr.getStatus().getConditions()) {
            if (("Denied".equals(c.getType()) || "Failed".equals(c.getType())) && !"False".equals(c.getStatus())) {
                return Optional.of("was " + c.getType().toLowerCase(Locale.ROOT)
                        + (c.getReason() != null ? " (" + c.getReason() + ")" : "")
                        + (c.getMessage() != null ? ": " + c.getMessage() : ""));
            }
        }
        return Optional.empty();
    }

    private static boolean notEmpty(String s) {
        return s != null && !s.isEmpty();
    }

    private void store(CertifiedKey key) {
        try {
            PrivateFiles.createDirectory(pkiDir);
            // key first: a certificate on disk always has its key next to it
            PrivateFiles.writeAtomically(keyFile(), key.privateKeyPem().getBytes(StandardCharsets.US_ASCII));
            PrivateFiles.writeAtomically(certificateFile(), key.certificatePem().getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new IllegalStateException("cannot keep the serving certificate in " + pkiDir + ": " + e.getMessage(), e);
        }
    }

    /** Draws the renewal point of {@code key} and, the first time, starts comparing the clock with it. */
    private synchronized void scheduleRenewal(CertifiedKey key) {
        deadline = policy.deadline(key.certificate(), random);
        if (checking || renewals.isShutdown()) return;
        checking = true;
        long every = policy.checkEvery().toMillis();
        renewals.scheduleWithFixedDelay(this::renewIfDue, every, every, TimeUnit.MILLISECONDS);
    }

    /** When the certificate in use is renewed. */
    public Optional<Instant> deadline() {
        return Optional.ofNullable(deadline);
    }

    private void renewIfDue() {
        Instant due = deadline;
        if (due == null || clock.instant().isBefore(due)) return;
        try {
            CertifiedKey renewed = request(names.get());
            store(renewed);
            current = renewed;
            for (Consumer<CertifiedKey> listener : listeners) {
                listener.accept(renewed);
            }
            scheduleRenewal(renewed);
            log.info("rotated the serving certificate of node {}: serial {} valid until {}", nodeName,
                    renewed.certificate().getSerialNumber().toString(16), renewed.certificate().getNotAfter().toInstant());
        } catch (RuntimeException e) {
            log.warn("renewing the serving certificate failed, trying again in {}: {}", policy.checkEvery(), e.getMessage());
        }
    }

    @Override
    public void close() {
        renewals.shutdownNow();
    }
}
