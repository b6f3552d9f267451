package dev.berth.agent.identity;

import dev.berth.core.pki.CertifiedKey;
import dev.berth.core.pki.Kubeconfig;
import dev.berth.core.pki.Pem;
import dev.berth.core.pki.PkiException;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * TLS bootstrapping as kubelet does it ({@code --bootstrap-kubeconfig}): with a bootstrap token,
 * the node makes its own key, sends a {@code kubernetes.io/kube-apiserver-client-kubelet}
 * CertificateSigningRequest for {@code CN=system:node:NAME, O=system:nodes}, waits for the
 * certificate (the control plane approves requests from bootstrap tokens) and writes its own
 * kubeconfig (0600). The private key never leaves the node; the token is used once.
 */
public final class NodeBootstrap {
    public static final String SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
    /** Kubelet's usages for an ECDSA key (no key encipherment). */
    public static final List<String> USAGES = List.of("digital signature", "client auth");
    private static final Logger log = LoggerFactory.getLogger(NodeBootstrap.class);

    private NodeBootstrap() {
    }

    /**
     * Writes {@code kubeconfig} for node {@code nodeName} using the token in {@code bootstrapKubeconfig}.
     *
     * @throws IllegalStateException when the request is denied or not signed within {@code timeout}
     * @throws PkiException          when the bootstrap kubeconfig holds no token
     */
    public static Kubeconfig bootstrap(Path bootstrapKubeconfig, String nodeName, Path kubeconfig, Duration timeout) {
        NodeCredentials.requireValidNodeName(nodeName);
        Kubeconfig boot = Kubeconfig.read(bootstrapKubeconfig);
        if (boot.token() == null) {
            throw new PkiException(bootstrapKubeconfig + " holds no bootstrap token (user.token)");
        }
        Config config;
        try {
            config = Config.fromKubeconfig(Files.readString(bootstrapKubeconfig));
        } catch (IOException e) {
            throw new PkiException("cannot read " + bootstrapKubeconfig + ": " + e.getMessage());
        }
        KeyPair keyPair = ServingCertificates.newKeyPair();
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
            X509Certificate certificate = requestClientCertificate(client, nodeName, keyPair, timeout);
            Kubeconfig own = Kubeconfig.withClientCertificate(NodeCredentials.CLUSTER_NAME, boot.server(),
                    boot.certificateAuthorities().getFirst(), NodeCredentials.userName(nodeName),
                    new CertifiedKey(certificate, keyPair.getPrivate()));
            own.write(kubeconfig);
            log.info("wrote {} for node {} (certificate valid until {})", kubeconfig, nodeName,
                    certificate.getNotAfter().toInstant());
            return own;
        }
    }

    /**
     * Sends a {@code kube-apiserver-client-kubelet} request for {@code CN=system:node:NAME,
     * O=system:nodes} with {@code keyPair}'s public key as whoever {@code client} authenticates as
     * (a bootstrap token, or the node renewing with its current certificate) and waits for the certificate.
     *
     * @throws IllegalStateException when the request is denied, deleted or not signed within {@code timeout}
     */
    static X509Certificate requestClientCertificate(KubernetesClient client, String nodeName, KeyPair keyPair,
                                                    Duration timeout) {
        {
            CertificateSigningRequest csr = new CertificateSigningRequestBuilder()
                    .withNewMetadata().withGenerateName("node-csr-").endMetadata()
                    .withNewSpec()
                    .withRequest(Base64.getEncoder().encodeToString(requestPem(nodeName, keyPair).getBytes(StandardCharsets.US_ASCII)))
                    .withSignerName(SIGNER)
                    .withUsages(USAGES)
                    .endSpec()
                    .build();
            var csrs = client.certificates().v1().certificateSigningRequests();
            String name = csrs.resource(csr).create().getMetadata().getName();
            log.info("requested the client certificate of node {} as certificatesigningrequest {}", nodeName, name);
            CertificateSigningRequest done;
            try {
                done = csrs.withName(name).waitUntilCondition(c -> c == null || c.getStatus() != null
                                && (notEmpty(c.getStatus().getCertificate()) || refused(c) != null),
                        timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (KubernetesClientTimeoutException e) {
                throw new IllegalStateException("certificatesigningrequest " + name + " was not signed within " + timeout
                        + "; approve it with: kubectl certificate approve " + name, e);
            }
            if (done == null) {
                throw new IllegalStateException("certificatesigningrequest " + name + " was deleted before it was signed");
            }
            if (!notEmpty(done.getStatus().getCertificate())) {
                throw new IllegalStateException("certificatesigningrequest " + name + " " + refused(done));
            }
            X509Certificate certificate = Pem.parseCertificate(new String(Base64.getDecoder().decode(
                    done.getStatus().getCertificate()), StandardCharsets.US_ASCII), "certificatesigningrequest " + name);
            if (!certificate.getPublicKey().equals(keyPair.getPublic())) {
                throw new IllegalStateException("certificatesigningrequest " + name + " holds a certificate for another key");
            }
            return certificate;
        }
    }

    static String requestPem(String nodeName, KeyPair keyPair) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, NodeCredentials.GROUP)
                .addRDN(BCStyle.CN, NodeCredentials.userName(nodeName))
                .build();
        try {
            PKCS10CertificationRequest request = new JcaPKCS10CertificationRequestBuilder(subject, keyPair.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate()));
            StringWriter out = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
                writer.writeObject(request);
            }
            return out.toString();
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot build the certificate request of node " + nodeName + ": " + e.getMessage(), e);
        }
    }

    private static String refused(CertificateSigningRequest csr) {
        if (csr.getStatus() == null || csr.getStatus().getConditions() == null) return null;
        for (CertificateSigningRequestCondition c : csr.getStatus().getConditions()) {
            if (("Denied".equals(c.getType()) || "Failed".equals(c.getType())) && !"False".equals(c.getStatus())) {
                return "was " + c.getType().toLowerCase(java.util.Locale.ROOT) + (c.getMessage() != null ? ": " + c.getMessage() : "");
            }
        }
        return null;
    }

    private static boolean notEmpty(String s) {
        return s != null && !s.isEmpty();
    }
}
