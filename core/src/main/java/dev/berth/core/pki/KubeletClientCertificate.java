package dev.berth.core.pki;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The API server's client certificate towards node agents ({@code kubelet-client.crt} and
 * {@code kubelet-client.key} in the pki directory), as kubeadm's {@code apiserver-kubelet-client}.
 * Agents accept only this identity on their HTTPS port: logs, exec, attach and port-forward reach
 * a node through the API server, which authorizes them first.
 */
public final class KubeletClientCertificate {
    public static final String CERTIFICATE_FILE = "kubelet-client.crt";
    public static final String KEY_FILE = "kubelet-client.key";
    /** The identity: CN {@code berth:kube-apiserver-kubelet-client}, O {@code system:masters}. */
    public static final Identity IDENTITY = new Identity("berth:kube-apiserver-kubelet-client", List.of("system:masters"));
    public static final Duration VALIDITY = Duration.ofDays(365);
    public static final Duration RENEW_BEFORE = Duration.ofDays(30);

    private KubeletClientCertificate() {
    }

    /** Loads the certificate from {@code pkiDir}, issuing a new one when absent, unreadable, expiring or not from {@code ca}. */
    public static CertifiedKey ensure(Path pkiDir, ClusterCa ca, Clock clock) {
        return ensure(pkiDir, ca, VALIDITY, c -> c.getNotAfter().toInstant().isAfter(clock.instant().plus(RENEW_BEFORE)));
    }

    /**
     * As {@link #ensure(Path, ClusterCa, Clock)}, issuing for {@code policy.clientLifetime()} and
     * re-issuing a certificate past the latest renewal point {@code policy} can draw.
     */
    public static CertifiedKey ensure(Path pkiDir, ClusterCa ca, RotationPolicy policy, Clock clock) {
        return ensure(pkiDir, ca, policy.clientLifetime(), c -> clock.instant().isBefore(policy.latestDeadline(c)));
    }

    /** Issues a new certificate and key for {@code validity} and writes them over the old pair. */
    public static CertifiedKey renew(Path pkiDir, ClusterCa ca, Duration validity) {
        return issue(pkiDir, ca, validity);
    }

    private static CertifiedKey ensure(Path pkiDir, ClusterCa ca, Duration validity,
                                       java.util.function.Predicate<X509Certificate> fresh) {
        Path certFile = pkiDir.resolve(CERTIFICATE_FILE);
        Path keyFile = pkiDir.resolve(KEY_FILE);
        if (Files.exists(certFile) && Files.exists(keyFile)) {
            try {
                CertifiedKey existing = new CertifiedKey(
                        Pem.parseCertificate(SecureFiles.readString(certFile), certFile.toString()),
                        Pem.parsePrivateKey(SecureFiles.readString(keyFile), keyFile.toString()));
                X509Certificate c = existing.certificate();
                if (ca.signed(c) && fresh.test(c) && isIdentity(c)) {
                    return existing;
                }
            } catch (PkiException unreadable) {
                // issue a new one below
            }
        }
        return issue(pkiDir, ca, validity);
    }

    private static CertifiedKey issue(Path pkiDir, ClusterCa ca, Duration validity) {
        Path certFile = pkiDir.resolve(CERTIFICATE_FILE);
        Path keyFile = pkiDir.resolve(KEY_FILE);
        SecureFiles.createPrivateDirectory(pkiDir);
        CertifiedKey issued = ca.issueClient(IDENTITY.user(), IDENTITY.groups(), validity);
        SecureFiles.writeAtomically(keyFile, issued.privateKeyPem().getBytes(StandardCharsets.US_ASCII));
        SecureFiles.writeAtomically(certFile, issued.certificatePem().getBytes(StandardCharsets.US_ASCII));
        return issued;
    }

    /** True when the certificate's subject is exactly {@link #IDENTITY} (CN and O). */
    public static boolean isIdentity(X509Certificate certificate) {
        return identityOf(certificate).filter(IDENTITY::equals).isPresent();
    }

    /** CN as user and each O as group, as the Kubernetes x509 authenticator reads a subject. */
    public static java.util.Optional<Identity> identityOf(X509Certificate certificate) {
        org.bouncycastle.asn1.x500.X500Name name = org.bouncycastle.asn1.x500.X500Name.getInstance(
                certificate.getSubjectX500Principal().getEncoded());
        String cn = "";
        for (var rdn : name.getRDNs(org.bouncycastle.asn1.x500.style.BCStyle.CN)) {
            cn = org.bouncycastle.asn1.x500.style.IETFUtils.valueToString(rdn.getFirst().getValue());
        }
        List<String> orgs = new java.util.ArrayList<>();
        for (var rdn : name.getRDNs(org.bouncycastle.asn1.x500.style.BCStyle.O)) {
            orgs.add(org.bouncycastle.asn1.x500.style.IETFUtils.valueToString(rdn.getFirst().getValue()));
        }
        return cn.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(new Identity(cn, orgs));
    }
}
