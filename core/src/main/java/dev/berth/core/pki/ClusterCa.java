package dev.berth.core.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;

/**
 * The cluster certificate authority: one ECDSA P-256 key and a self-signed certificate kept as
 * {@code ca.crt} and {@code ca.key} (mode 0600) in the pki directory. It issues the API server's
 * serving certificate and client certificates, signs CertificateSigningRequests, and verifies
 * the client certificates presented to the API server.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ClusterCa {
    public static final String CERTIFICATE_FILE = "ca.crt";
    public static final String KEY_FILE = "ca.key";
    /** How long a new CA is valid. Issued certificates never outlive it. */
    public static final Duration CA_VALIDITY = Duration.ofDays(3650);
    /** Usages {@link #signCsr} accepts, spelled as in {@code certificates.k8s.io/v1}. */
    public static final Set<String> CSR_USAGES =
            Set.of("client auth", "server auth", "digital signature", "key encipherment");

    // Certificates start a little in the past so that a peer whose clock runs behind ours
    // does not reject a certificate issued a moment ago (the Kubernetes CSR signer does the same).
    static final Duration BACKDATE = Duration.ofMinutes(5);
    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey privateKey;
    private final Clock clock;
    private final String fingerprint;

    private ClusterCa(X509Certificate certificate, PrivateKey privateKey, Clock clock) {
        this.certificate = certificate;
        this.privateKey = privateKey;
        this.clock = clock;
        this.fingerprint = fingerprint(certificate);
    }

    /**
     * Loads the CA from {@code pkiDir}, or creates a new one when neither {@code ca.crt} nor
     * {@code ca.key} exists. Fails when only one of them exists: silently replacing half a CA would
     * invalidate every credential issued so far.
     */
    public static ClusterCa loadOrCreate(Path pkiDir, Clock clock) {
        Path certFile = pkiDir.resolve(CERTIFICATE_FILE);
        Path keyFile = pkiDir.resolve(KEY_FILE);
        boolean haveCert = Files.exists(certFile);
        boolean haveKey = Files.exists(keyFile);
        if (haveCert && haveKey) return load(pkiDir, clock);
        if (haveCert || haveKey) {
            Path present = haveCert ? certFile : keyFile;
            Path missing = haveCert ? keyFile : certFile;
            throw new PkiException("cluster CA is incomplete: " + present + " exists but " + missing
                    + " does not; restore " + missing.getFileName() + " or remove " + present.getFileName()
                    + " to create a new CA (which invalidates every issued credential)");
        }
        return create(pkiDir, clock);
    }

    /** Loads an existing CA from {@code pkiDir}; fails if the files are missing, malformed or do not match. */
    public static ClusterCa load(Path pkiDir, Clock clock) {
        Path certFile = pkiDir.resolve(CERTIFICATE_FILE);
        Path keyFile = pkiDir.resolve(KEY_FILE);
        X509Certificate certificate = Pem.parseCertificate(SecureFiles.readString(certFile), certFile.toString());
        PrivateKey key = Pem.parsePrivateKey(SecureFiles.readString(keyFile), keyFile.toString());
        SecureFiles.warnIfNotPrivate(keyFile);
        if (certificate.getBasicConstraints() < 0) {
            throw new PkiException(certFile + ": certificate " + subject(certificate)
                    + " is not a CA certificate (basicConstraints CA:TRUE missing)");
        }
        if (!keyMatches(key, certificate.getPublicKey())) {
            throw new PkiException(keyFile + " does not hold the private key of the certificate in " + certFile);
        }
        return new ClusterCa(certificate, key, clock);
    }

    private static ClusterCa create(Path pkiDir, Clock clock) {
        KeyPair keyPair = newKeyPair();
        Instant now = clock.instant();
        // A per-cluster subject keeps the CAs of two clusters apart in logs and in the CA names
        // a TLS server sends to pick a client certificate, even though trust is decided by the key.
        byte[] suffix = new byte[4];
        RANDOM.nextBytes(suffix);
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.CN, "berth-ca@" + now.getEpochSecond() + "-" + HexFormat.of().formatHex(suffix)).build();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serialNumber(),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(CA_VALIDITY)), subject, keyPair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(keyPair.getPublic()));
            X509Certificate certificate = sign(builder, keyPair.getPrivate());
            SecureFiles.createPrivateDirectory(pkiDir);
            // key first: a crash in between leaves ca.key alone, which loadOrCreate reports
            SecureFiles.writeAtomically(pkiDir.resolve(KEY_FILE),
                    Pem.encode(keyPair.getPrivate()).getBytes(StandardCharsets.US_ASCII));
            SecureFiles.writeAtomically(pkiDir.resolve(CERTIFICATE_FILE),
                    Pem.encode(certificate).getBytes(StandardCharsets.US_ASCII));
            return new ClusterCa(certificate, keyPair.getPrivate(), clock);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new PkiException("cannot create the cluster CA in " + pkiDir + ": " + e.getMessage(), e);
        }
    }

    /** The CA certificate. */
    public X509Certificate certificate() { return certificate; }

    /** The CA certificate as PEM, as put in kubeconfig {@code certificate-authority-data}. */
    public String certificatePem() { return Pem.encode(certificate); }

    /**
     * SHA-256 of the CA certificate's DER encoding, lowercase hex. Control-plane replicas sharing
     * one store compare it to detect that they were started with different CAs.
     */
    public String fingerprint() { return fingerprint; }

    /** SHA-256 of {@code certificate}'s DER encoding, lowercase hex. */
    public static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot fingerprint certificate " + subject(certificate), e);
        }
    }

    /** Whether this CA signed {@code certificate} (signature only; validity and usages are not checked). */
    public boolean signed(X509Certificate certificate) {
        if (!certificate.getIssuerX500Principal().equals(this.certificate.getSubjectX500Principal())) return false;
        try {
            certificate.verify(this.certificate.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * Issues a TLS server certificate with a new P-256 key, valid for {@code validity} (at most
     * until the CA expires), for the given DNS names and IP addresses (subjectAltName). The CN is
     * the first DNS name, for tools that still display it.
     */
    public CertifiedKey issueServing(Set<String> dnsNames, Set<InetAddress> ips, Duration validity) {
        if (dnsNames.isEmpty() && ips.isEmpty()) {
            throw new IllegalArgumentException("a serving certificate needs at least one DNS name or IP address");
        }
        List<GeneralName> names = new ArrayList<>();
        dnsNames.forEach(dns -> names.add(new GeneralName(GeneralName.dNSName, dns)));
        ips.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip.getHostAddress())));
        String commonName = dnsNames.isEmpty() ? ips.iterator().next().getHostAddress() : dnsNames.iterator().next();
        KeyPair keyPair = newKeyPair();
        X509Certificate certificate = issue(new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build(),
                keyPair.getPublic(), validity, KeyUsage.digitalSignature | KeyUsage.keyEncipherment,
                List.of(KeyPurposeId.id_kp_serverAuth), new GeneralNames(names.toArray(GeneralName[]::new)));
        return new CertifiedKey(certificate, keyPair.getPrivate());
    }

    /**
     * Issues a client certificate with a new P-256 key: CN is the user name and each O one of its
     * groups, as the Kubernetes x509 authenticator reads them; extended key usage clientAuth.
     */
    public CertifiedKey issueClient(String commonName, List<String> organizations, Duration validity) {
        requireCommonName(commonName, "client certificate");
        KeyPair keyPair = newKeyPair();
        X509Certificate certificate = issue(clientSubject(commonName, organizations), keyPair.getPublic(), validity,
                KeyUsage.digitalSignature | KeyUsage.keyEncipherment, List.of(KeyPurposeId.id_kp_clientAuth), null);
        return new CertifiedKey(certificate, keyPair.getPrivate());
    }

    /**
     * Signs a PKCS#10 certificate request (PEM, as in a CertificateSigningRequest's
     * {@code spec.request} once base64-decoded) and returns the certificate as PEM. Subject and the
     * DNS/IP subjectAltNames come from the request; key usages from {@code usages}, each one of
     * {@link #CSR_USAGES}.
     *
     * @throws CertificateRejectedException if the request is malformed, its signature does not
     *     verify with its own public key, it asks for names other than DNS and IP, a usage is not
     *     supported, or it asks for client auth without a CN
     */
    public String signCsr(byte[] pemCsr, Duration validity, Set<String> usages) {
        PKCS10CertificationRequest csr;
        try {
            csr = Pem.parseCertificateRequest(new String(pemCsr, StandardCharsets.US_ASCII), "certificate request");
        } catch (CertificateRejectedException e) {
            throw e;
        } catch (PkiException e) {
            throw new CertificateRejectedException(e.getMessage(), e);
        }
        PublicKey publicKey;
        try {
            publicKey = new JcaPEMKeyConverter().getPublicKey(csr.getSubjectPublicKeyInfo());
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo()))) {
                throw new CertificateRejectedException("certificate request for " + csr.getSubject()
                        + " has an invalid signature: it was altered or not signed with the key it carries");
            }
        } catch (IOException | OperatorCreationException | PKCSException e) {
            throw new CertificateRejectedException("certificate request for " + csr.getSubject()
                    + ": cannot verify its signature: " + e.getMessage(), e);
        }

        if (usages.isEmpty()) {
            throw new CertificateRejectedException("certificate request for " + csr.getSubject()
                    + ": usages must not be empty; supported: " + new TreeSet<>(CSR_USAGES));
        }
        int keyUsage = 0;
        List<KeyPurposeId> extendedUsages = new ArrayList<>();
        for (String usage : new TreeSet<>(usages)) {
            switch (usage) {
                case "digital signature" -> keyUsage |= KeyUsage.digitalSignature;
                case "key encipherment" -> keyUsage |= KeyUsage.keyEncipherment;
                case "client auth" -> extendedUsages.add(KeyPurposeId.id_kp_clientAuth);
                case "server auth" -> extendedUsages.add(KeyPurposeId.id_kp_serverAuth);
                default -> throw new CertificateRejectedException("certificate request for " + csr.getSubject()
                        + ": usage \"" + usage + "\" is not supported; supported: " + new TreeSet<>(CSR_USAGES));
            }
        }
        if (usages.contains("client auth")) {
            requireCommonName(commonName(csr.getSubject()), "certificate request for client auth");
        }
        GeneralNames subjectAltNames = requestedSubjectAltNames(csr);
        X509Certificate certificate = issue(csr.getSubject(), publicKey, validity,
                keyUsage, extendedUsages, subjectAltNames);
        return Pem.encode(certificate);
    }

    private static GeneralNames requestedSubjectAltNames(PKCS10CertificationRequest csr) {
        Attribute[] attributes = csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest);
        if (attributes.length == 0) return null;
        Extensions requested = Extensions.getInstance(attributes[0].getAttrValues().getObjectAt(0));
        GeneralNames names = GeneralNames.fromExtensions(requested, Extension.subjectAlternativeName);
        if (names == null) return null;
        for (GeneralName name : names.getNames()) {
            if (name.getTagNo() != GeneralName.dNSName && name.getTagNo() != GeneralName.iPAddress) {
                throw new CertificateRejectedException("certificate request for " + csr.getSubject()
                        + ": subjectAltName " + name + " is not supported; only DNS names and IP addresses are");
            }
        }
        return names;
    }

    /**
     * Checks a client certificate chain as presented in a TLS handshake (leaf first) and returns
     * the identity it carries: user from CN, groups from O.
     *
     * @throws CertificateRejectedException naming the reason: no certificate, a CA certificate,
     *     not signed by the cluster CA, not yet valid or expired, no clientAuth usage, empty CN
     */
    public Identity verifyClientChain(X509Certificate[] chain) {
        if (chain == null || chain.length == 0) {
            throw new CertificateRejectedException("no client certificate presented");
        }
        X509Certificate leaf = chain[0];
        String subject = subject(leaf);
        if (leaf.getBasicConstraints() >= 0) {
            throw new CertificateRejectedException("client certificate " + subject
                    + " is a CA certificate and cannot identify a user");
        }
        // Berth issues no intermediate CAs: the leaf itself must carry the cluster CA's signature.
        if (!signed(leaf)) {
            throw new CertificateRejectedException("client certificate " + subject
                    + " is not signed by the cluster CA (issuer " + leaf.getIssuerX500Principal().getName()
                    + ", cluster CA " + this.certificate.getSubjectX500Principal().getName()
                    + " sha256 " + fingerprint + ")");
        }
        Instant now = clock.instant();
        if (now.isBefore(leaf.getNotBefore().toInstant())) {
            throw new CertificateRejectedException("client certificate " + subject + " is not valid before "
                    + leaf.getNotBefore().toInstant() + " (now " + now + ")");
        }
        if (now.isAfter(leaf.getNotAfter().toInstant())) {
            throw new CertificateRejectedException("client certificate " + subject + " expired at "
                    + leaf.getNotAfter().toInstant() + " (now " + now + ")");
        }
        List<String> extendedUsages;
        try {
            extendedUsages = leaf.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw new CertificateRejectedException("client certificate " + subject
                    + " has a malformed extended key usage extension", e);
        }
        if (extendedUsages == null || !extendedUsages.contains(KeyPurposeId.id_kp_clientAuth.getId())) {
            throw new CertificateRejectedException("client certificate " + subject
                    + " has no clientAuth extended key usage");
        }
        X500Name name = X500Name.getInstance(leaf.getSubjectX500Principal().getEncoded());
        String user = commonName(name);
        if (user == null || user.isBlank()) {
            throw new CertificateRejectedException("client certificate " + subject + " has no CN (user name)");
        }
        return new Identity(user, values(name, BCStyle.O));
    }

    private X509Certificate issue(X500Name subject, PublicKey publicKey, Duration validity, int keyUsage,
                                  List<KeyPurposeId> extendedUsages, GeneralNames subjectAltNames) {
        Objects.requireNonNull(validity, "validity");
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("certificate validity must be positive, got " + validity);
        }
        Instant now = clock.instant();
        Instant notAfter = now.plus(validity);
        Instant caNotAfter = certificate.getNotAfter().toInstant();
        if (notAfter.isAfter(caNotAfter)) notAfter = caNotAfter;
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()), serialNumber(),
                    Date.from(now.minus(BACKDATE)), Date.from(notAfter), subject, publicKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(certificate))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(publicKey));
            if (keyUsage != 0) builder.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
            if (!extendedUsages.isEmpty()) {
                builder.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(extendedUsages.toArray(KeyPurposeId[]::new)));
            }
            if (subjectAltNames != null && subjectAltNames.getNames().length > 0) {
                builder.addExtension(Extension.subjectAlternativeName, false, subjectAltNames);
            }
            return sign(builder, privateKey);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new PkiException("cannot issue a certificate for " + subject + ": " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(key)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot generate an ECDSA P-256 key: " + e.getMessage(), e);
        }
    }

    private static BigInteger serialNumber() {
        // 127 random bits, positive and non-zero as RFC 5280 requires
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    /** Proves the pair by signing a random challenge; works for EC and RSA keys alike. */
    static boolean keyMatches(PrivateKey privateKey, PublicKey publicKey) {
        // the same key is "EC" from the JDK's providers and "ECDSA" from BouncyCastle's, whichever
        // comes first in this JVM (SSH libraries register BouncyCastle): compare the families
        if (!keyFamily(privateKey.getAlgorithm()).equals(keyFamily(publicKey.getAlgorithm()))) return false;
        String algorithm = switch (keyFamily(publicKey.getAlgorithm())) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) return false;
        try {
            byte[] challenge = new byte[32];
            RANDOM.nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String keyFamily(String algorithm) {
        return switch (algorithm) {
            case "ECDSA" -> "EC";
            case "EdDSA" -> "Ed25519";
            default -> algorithm;
        };
    }

    private static X500Name clientSubject(String commonName, Collection<String> organizations) {
        X500NameBuilder builder = new X500NameBuilder(BCStyle.INSTANCE);
        for (String organization : new LinkedHashSet<>(organizations)) builder.addRDN(BCStyle.O, organization);
        return builder.addRDN(BCStyle.CN, commonName).build();
    }

    private static void requireCommonName(String commonName, String what) {
        if (commonName == null || commonName.isBlank()) {
            throw new CertificateRejectedException(what + " needs a CN: the user name");
        }
    }

    private static String commonName(X500Name name) {
        List<String> values = values(name, BCStyle.CN);
        return values.isEmpty() ? null : values.getFirst();
    }

    /** Every value of one attribute type, in multi-valued RDNs (as Go writes O) or one per RDN. */
    private static List<String> values(X500Name name, org.bouncycastle.asn1.ASN1ObjectIdentifier type) {
        List<String> values = new ArrayList<>();
        for (RDN rdn : name.getRDNs(type)) {
            for (AttributeTypeAndValue typeAndValue : rdn.getTypesAndValues()) {
                if (!typeAndValue.getType().equals(type)) continue;
                ASN1Encodable value = typeAndValue.getValue();
                values.add(value instanceof ASN1String string ? string.getString() : value.toString());
            }
        }
        return values;
    }

    private static String subject(X509Certificate certificate) {
        return "\"" + certificate.getSubjectX500Principal().getName() + "\"";
    }

    @Override
    public String toString() {
        return "ClusterCa[" + certificate.getSubjectX500Principal().getName() + " sha256 " + fingerprint + "]";
    }
}
