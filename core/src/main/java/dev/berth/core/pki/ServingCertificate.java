package dev.berth.core.pki;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The API server's TLS certificate, kept as {@code apiserver.crt} and {@code apiserver.key} in the
 * pki directory. {@link #ensure} reuses the files while they still fit and re-issues them from the
 * cluster CA when a required name is missing, the certificate expires within
 * {@link #RENEW_BEFORE}, or it was not issued by the current CA.
 *
 * <p>A long-running server rotates by calling {@link #ensure} again (daily, say) and building a
 * new TLS context when {@link #issuedBecause} is present; connections already open keep the old one.
 */
public final class ServingCertificate {
    public static final String CERTIFICATE_FILE = "apiserver.crt";
    public static final String KEY_FILE = "apiserver.key";
    public static final Duration VALIDITY = Duration.ofDays(365);
    public static final Duration RENEW_BEFORE = Duration.ofDays(30);
    /** Names through which pods and local tools reach the API server. */
    public static final List<String> KUBERNETES_DNS_NAMES = List.of("kubernetes", "kubernetes.default",
            "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "localhost");
    /** First address of the default service CIDR 10.43.0.0/16: the {@code kubernetes} Service's ClusterIP. */
    public static final InetAddress DEFAULT_KUBERNETES_SERVICE_IP = InetAddress.ofLiteral("10.43.0.1");

    private final CertifiedKey certifiedKey;
    private final Path certificateFile;
    private final Path keyFile;
    private final Optional<String> issuedBecause;

    private ServingCertificate(CertifiedKey certifiedKey, Path certificateFile, Path keyFile, Optional<String> issuedBecause) {
        this.certifiedKey = certifiedKey;
        this.certificateFile = certificateFile;
        this.keyFile = keyFile;
        this.issuedBecause = issuedBecause;
    }

    /**
     * Returns the serving certificate for an API server reachable at {@code listenHosts} (host
     * names or IP literals; a wildcard address such as {@code 0.0.0.0} or {@code ::} stands for every
     * address of this machine), re-issuing it when needed.
     *
     * @param kubernetesServiceIp the ClusterIP of the {@code kubernetes} Service in the default namespace
     */
    public static ServingCertificate ensure(Path pkiDir, ClusterCa ca, Collection<String> listenHosts,
                                            InetAddress kubernetesServiceIp, Clock clock) {
        return ensure(pkiDir, ca, listenHosts, kubernetesServiceIp, VALIDITY, null, clock);
    }

    /**
     * As {@link #ensure(Path, ClusterCa, Collection, InetAddress, Clock)}, issuing for
     * {@code policy.servingLifetime()} and re-issuing a certificate past the latest renewal point
     * {@code policy} can draw (so a server that was down through its rotation renews at start).
     */
    public static ServingCertificate ensure(Path pkiDir, ClusterCa ca, Collection<String> listenHosts,
                                            InetAddress kubernetesServiceIp, RotationPolicy policy, Clock clock) {
        return ensure(pkiDir, ca, listenHosts, kubernetesServiceIp, policy.servingLifetime(), policy, clock);
    }

    private static ServingCertificate ensure(Path pkiDir, ClusterCa ca, Collection<String> listenHosts,
                                             InetAddress kubernetesServiceIp, Duration validity, RotationPolicy policy,
                                             Clock clock) {
        Set<String> dnsNames = new LinkedHashSet<>();
        Set<InetAddress> ips = new LinkedHashSet<>();
        requiredNames(listenHosts, kubernetesServiceIp, dnsNames, ips);
        Path certFile = pkiDir.resolve(CERTIFICATE_FILE);
        Path keyFile = pkiDir.resolve(KEY_FILE);

        Optional<String> reason = Optional.empty();
        if (!Files.exists(certFile) || !Files.exists(keyFile)) {
            reason = Optional.of(Files.exists(certFile) ? keyFile + " is missing" : certFile + " is missing");
        } else {
            try {
                CertifiedKey existing = new CertifiedKey(
                        Pem.parseCertificate(SecureFiles.readString(certFile), certFile.toString()),
                        Pem.parsePrivateKey(SecureFiles.readString(keyFile), keyFile.toString()));
                reason = reissueReason(existing, ca, dnsNames, ips, clock.instant(), policy == null);
                if (reason.isEmpty() && policy != null && !clock.instant().isBefore(policy.latestDeadline(existing.certificate()))) {
                    reason = Optional.of("it is past its renewal point " + policy.latestDeadline(existing.certificate())
                            + " (expires at " + existing.certificate().getNotAfter().toInstant() + ")");
                }
                if (reason.isEmpty()) return new ServingCertificate(existing, certFile, keyFile, Optional.empty());
            } catch (PkiException unreadable) {
                reason = Optional.of(unreadable.getMessage());
            }
        }
        CertifiedKey issued = ca.issueServing(dnsNames, ips, validity);
        write(certFile, keyFile, issued);
        return new ServingCertificate(issued, certFile, keyFile, reason);
    }

    /**
     * A new certificate with a new key for everything this one covers (every subjectAltName it has,
     * and whatever else {@code listenHosts} now require), valid for {@code validity}, written over
     * this one's files. The caller serves it from then on; this instance is left unchanged.
     */
    public ServingCertificate renew(ClusterCa ca, Collection<String> listenHosts, InetAddress kubernetesServiceIp,
                                    Duration validity, String reason) {
        Set<String> dnsNames = new LinkedHashSet<>();
        Set<InetAddress> ips = new LinkedHashSet<>();
        subjectAltNames(certifiedKey.certificate(), dnsNames, ips);
        requiredNames(listenHosts, kubernetesServiceIp, dnsNames, ips);
        CertifiedKey issued = ca.issueServing(dnsNames, ips, validity);
        write(certificateFile, keyFile, issued);
        return new ServingCertificate(issued, certificateFile, keyFile, Optional.of(reason));
    }

    private static void write(Path certFile, Path keyFile, CertifiedKey issued) {
        // key first so that a crash in between leaves a pair that fails the key check and is re-issued
        SecureFiles.writeAtomically(keyFile, issued.privateKeyPem().getBytes(StandardCharsets.US_ASCII));
        SecureFiles.writeAtomically(certFile, issued.certificatePem().getBytes(StandardCharsets.US_ASCII));
    }

    /** The DNS names and IP addresses a certificate names in its subjectAltName extension. */
    static void subjectAltNames(X509Certificate certificate, Set<String> dnsNames, Set<InetAddress> ips) {
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            for (List<?> name : names == null ? Collections.<List<?>>emptyList() : names) {
                int type = (Integer) name.get(0);
                if (type == 2) dnsNames.add(((String) name.get(1)).toLowerCase(Locale.ROOT));
                if (type == 7) ipLiteral((String) name.get(1)).ifPresent(ips::add);
            }
        } catch (CertificateParsingException e) {
            throw new PkiException("the subjectAltName extension of " + certificate.getSubjectX500Principal().getName()
                    + " is malformed", e);
        }
    }

    /** Certificate and key to serve. */
    public CertifiedKey certifiedKey() { return certifiedKey; }

    public Path certificateFile() { return certificateFile; }

    public Path keyFile() { return keyFile; }

    /** Why {@link #ensure} issued a new certificate (for the log), or empty if it reused the files. */
    public Optional<String> issuedBecause() { return issuedBecause; }

    /**
     * The names a serving certificate must cover: the listen hosts (wildcards expanded to this
     * machine's addresses), {@link #KUBERNETES_DNS_NAMES}, the {@code kubernetes} Service IP and 127.0.0.1.
     */
    static void requiredNames(Collection<String> listenHosts, InetAddress kubernetesServiceIp,
                              Set<String> dnsNames, Set<InetAddress> ips) {
        for (String host : listenHosts) {
            String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            Optional<InetAddress> literal = ipLiteral(bare);
            if (literal.isEmpty()) {
                dnsNames.add(bare.toLowerCase(Locale.ROOT));
            } else if (literal.get().isAnyLocalAddress()) {
                ips.addAll(machineAddresses(literal.get() instanceof Inet6Address));
            } else {
                ips.add(literal.get());
            }
        }
        dnsNames.addAll(KUBERNETES_DNS_NAMES);
        ips.add(kubernetesServiceIp);
        ips.add(InetAddress.ofLiteral("127.0.0.1"));
    }

    static Optional<String> reissueReason(CertifiedKey existing, ClusterCa ca, Set<String> dnsNames,
                                          Set<InetAddress> ips, Instant now) {
        return reissueReason(existing, ca, dnsNames, ips, now, true);
    }

    /** @param renewBefore whether to re-issue within {@link #RENEW_BEFORE} of expiry (else a rotation policy decides) */
    static Optional<String> reissueReason(CertifiedKey existing, ClusterCa ca, Set<String> dnsNames,
                                          Set<InetAddress> ips, Instant now, boolean renewBefore) {
        X509Certificate certificate = existing.certificate();
        if (!ca.signed(certificate)) {
            return Optional.of("it was not issued by the cluster CA " + ca.fingerprint());
        }
        if (!ClusterCa.keyMatches(existing.privateKey(), certificate.getPublicKey())) {
            return Optional.of("the key does not match the certificate");
        }
        Instant notAfter = certificate.getNotAfter().toInstant();
        if (renewBefore && now.plus(RENEW_BEFORE).isAfter(notAfter)) {
            return Optional.of("it expires at " + notAfter + ", within " + RENEW_BEFORE.toDays() + " days");
        }
        Set<String> haveDns = new TreeSet<>();
        Set<InetAddress> haveIps = new LinkedHashSet<>();
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            for (List<?> name : names == null ? Collections.<List<?>>emptyList() : names) {
                int type = (Integer) name.get(0);
                if (type == 2) haveDns.add(((String) name.get(1)).toLowerCase(Locale.ROOT));
                if (type == 7) ipLiteral((String) name.get(1)).ifPresent(haveIps::add);
            }
        } catch (CertificateParsingException e) {
            return Optional.of("its subjectAltName extension is malformed");
        }
        Set<String> missing = new TreeSet<>();
        dnsNames.stream().filter(dns -> !haveDns.contains(dns)).forEach(missing::add);
        ips.stream().filter(ip -> !haveIps.contains(ip)).map(InetAddress::getHostAddress).forEach(missing::add);
        if (!missing.isEmpty()) {
            return Optional.of("it does not cover " + String.join(", ", missing));
        }
        return Optional.empty();
    }

    /** Parses an IP literal without ever resolving a name (that could block on DNS at startup). */
    private static Optional<InetAddress> ipLiteral(String text) {
        try {
            return Optional.of(InetAddress.ofLiteral(text));
        } catch (IllegalArgumentException notAnIp) {
            return Optional.empty();
        }
    }

    private static Set<InetAddress> machineAddresses(boolean includeIpv6) {
        try {
            return NetworkInterface.networkInterfaces()
                    .flatMap(NetworkInterface::inetAddresses)
                    .filter(address -> includeIpv6 || !(address instanceof Inet6Address))
                    // link-local addresses carry a scope and are no way to reach an API server
                    .filter(address -> !address.isLinkLocalAddress())
                    .map(ServingCertificate::withoutScope)
                    .collect(Collectors.toCollection(LinkedHashSet::new));
        } catch (SocketException e) {
            throw new PkiException("cannot list this machine's network addresses for the serving certificate: " + e, e);
        }
    }

    private static InetAddress withoutScope(InetAddress address) {
        try {
            return InetAddress.getByAddress(address.getAddress());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("address of invalid length", e);
        }
    }
}
