package dev.berth.core.pki;

import static dev.berth.core.pki.PkiTesting.mode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterCaTest {
    @TempDir Path dir;
    final MutableClock clock = MutableClock.at("2026-01-10T12:00:00Z");

    @Test
    void createsTenYearP256CaWithOwnerOnlyKeyFile() {
        ClusterCa ca = ClusterCa.loadOrCreate(dir.resolve("pki"), clock);

        X509Certificate cert = ca.certificate();
        assertThat(cert.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(cert.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(((ECPublicKey) cert.getPublicKey()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(clock.instant().plus(Duration.ofDays(3650)));
        assertThat(cert.getKeyUsage()[5]).as("keyCertSign").isTrue();
        assertThat(mode(dir.resolve("pki/ca.key"))).isEqualTo("rw-------");
        assertThat(mode(dir.resolve("pki"))).isEqualTo("rwx------");
        assertThat(dir.resolve("pki/ca.crt")).content().startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(dir.resolve("pki/ca.key")).content().startsWith("-----BEGIN EC PRIVATE KEY-----");
    }

    @Test
    void loadsTheSameCaOnTheNextStart() {
        ClusterCa first = ClusterCa.loadOrCreate(dir, clock);
        ClusterCa second = ClusterCa.loadOrCreate(dir, clock);

        assertThat(second.fingerprint()).isEqualTo(first.fingerprint());
        assertThat(second.certificate()).isEqualTo(first.certificate());
    }

    @Test
    void fingerprintIsTheSha256OfTheCertificateDer() throws Exception {
        ClusterCa ca = ClusterCa.loadOrCreate(dir.resolve("a"), clock);
        ClusterCa other = ClusterCa.loadOrCreate(dir.resolve("b"), clock);

        String expected = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(ca.certificate().getEncoded()));
        assertThat(ca.fingerprint()).isEqualTo(expected).hasSize(64);
        assertThat(other.fingerprint()).isNotEqualTo(ca.fingerprint());
    }

    @Test
    void refusesToReplaceHalfACa() throws Exception {
        ClusterCa.loadOrCreate(dir, clock);
        Files.delete(dir.resolve("ca.crt"));

        assertThatThrownBy(() -> ClusterCa.loadOrCreate(dir, clock))
                .isInstanceOf(PkiException.class)
                .hasMessageContaining(dir.resolve("ca.key") + " exists but " + dir.resolve("ca.crt") + " does not");
    }

    @Test
    void refusesAKeyThatDoesNotBelongToTheCertificate() throws Exception {
        ClusterCa.loadOrCreate(dir, clock);
        Files.writeString(dir.resolve("ca.key"), Pem.encode(ClusterCa.newKeyPair().getPrivate()));

        assertThatThrownBy(() -> ClusterCa.load(dir, clock))
                .hasMessage(dir.resolve("ca.key") + " does not hold the private key of the certificate in "
                        + dir.resolve("ca.crt"));
    }

    @Test
    void issuesServingCertificateForTheRequestedNames() throws Exception {
        ClusterCa ca = ClusterCa.loadOrCreate(dir, clock);

        CertifiedKey serving = ca.issueServing(Set.of("kubernetes.default"),
                Set.of(InetAddress.ofLiteral("127.0.0.1"), InetAddress.ofLiteral("::1")), Duration.ofDays(365));

        X509Certificate cert = serving.certificate();
        cert.verify(ca.certificate().getPublicKey());
        assertThat(cert.getSubjectAlternativeNames()).containsExactlyInAnyOrder(
                List.of(2, "kubernetes.default"), List.of(7, "127.0.0.1"), List.of(7, "0:0:0:0:0:0:0:1"));
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(cert.getBasicConstraints()).isEqualTo(-1);
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(clock.instant().plus(Duration.ofDays(365)));
        assertThat(cert.getNotBefore().toInstant()).isBefore(clock.instant());
        assertThat(ClusterCa.keyMatches(serving.privateKey(), cert.getPublicKey())).isTrue();
    }

    @Test
    void neverIssuesACertificateThatOutlivesTheCa() {
        ClusterCa ca = ClusterCa.loadOrCreate(dir, clock);

        CertifiedKey client = ca.issueClient("alice", List.of(), Duration.ofDays(20_000));

        assertThat(client.certificate().getNotAfter()).isEqualTo(ca.certificate().getNotAfter());
    }

    @Test
    void clientCertificateVerifiesToItsUserAndGroups() {
        ClusterCa ca = ClusterCa.loadOrCreate(dir, clock);
        CertifiedKey admin = ca.issueClient("admin", List.of("system:masters", "devs"), Duration.ofDays(365));

        Identity identity = ca.verifyClientChain(new X509Certificate[] {admin.certificate()});

        assertThat(identity).isEqualTo(new Identity("admin", List.of("system:masters", "devs")));
        assertThat(admin.certificate().getSubjectX500Principal().getName())
                .isEqualTo("CN=admin,O=devs,O=system:masters");
    }

    @Test
    void rejectsAnExpiredClientCertificate() {
        ClusterCa ca = ClusterCa.loadOrCreate(dir, clock);
        CertifiedKey alice = ca.issueClient("alice", List.of(), Duration.ofHours(1));
        clock.advance(Duration.ofHours(2));

        assertThatThrownBy(() -> ca.verifyClientChain(new X509Certificate[] {alice.certificate()}))
                .isInstanceOf(CertificateRejectedException.class)
                .hasMessage("client certificate \"CN=alice\" expired at 2026-01-10T13:00:00Z (now 2026-01-10T14:00:00Z)");
    }

    @Test
    void rejectsAClientCertificateNotYetValid() {
        ClusterCa ca = ClusterCa.loadOrCreate(dir, clock);
        CertifiedKey alice = ca.issueClient("alice", List.of(), Duration.ofHours(1));
        clock.advance(Duration.ofHours(-1));

        assertThatThrownBy(() -> ca.verifyClientChain(new X509Certificate[] {alice.certificate()}))
                .hasMessageStartingWith("client certificate \"CN=alice\" is not valid before 2026-01-10T11:55:00Z");
    }

    @Test
    void rejectsAClientCertificateFromAnotherCa() {
        ClusterCa ca = ClusterCa.loadOrCreate(dir.resolve("ours"), clock);
        ClusterCa other = ClusterCa.loadOrCreate(dir.resolve("theirs"), clock);
        CertifiedKey mallory = other.issueClient("admin", List.of("system:masters"), Duration.ofDays(1));

        assertThatThrownBy(() -> ca.verifyClientChain(new X509Certificate[] {mallory.certificate()}))
                .isInstanceOf(CertificateRejectedException.class)
                .hasMessageStartingWith("client certificate \"CN=admin,O=system:masters\" is not signed by the cluster CA")
                .hasMessageContaining(ca.fingerprint());
    }

    @Test
    void rejectsACertificateWithoutClientAuthUsage() {
        ClusterCa ca = ClusterCa.loadOrCreate(dir, clock);
        CertifiedKey serving = ca.issueServing(Set.of("web"), Set.of(), Duration.ofDays(1));

        assertThatThrownBy(() -> ca.verifyClientChain(new X509Certificate[] {serving.certificate()}))
                .hasMessage("client certificate \"CN=web\" has no clientAuth extended key usage");
    }

    @Test
    void rejectsTheCaCertificateAndAnEmptyChain() {
        ClusterCa ca = ClusterCa.loadOrCreate(dir, clock);

        assertThatThrownBy(() -> ca.verifyClientChain(new X509Certificate[] {ca.certificate()}))
                .hasMessageEndingWith("is a CA certificate and cannot identify a user");
        assertThatThrownBy(() -> ca.verifyClientChain(new X509Certificate[0]))
                .hasMessage("no client certificate presented");
        assertThatThrownBy(() -> ca.verifyClientChain(null))
                .hasMessage("no client certificate presented");
    }

    @Test
    void signsACsrWithItsSubjectNamesAndTheRequestedUsages() throws Exception {
        ClusterCa ca = ClusterCa.loadOrCreate(dir, clock);
        KeyPair keys = ClusterCa.newKeyPair();
        byte[] csr = csr("CN=system:node:lab1,O=system:nodes", keys, keys, "lab1.local", "10.0.0.7");

        String pem = ca.signCsr(csr, Duration.ofDays(30),
                Set.of("client auth", "server auth", "digital signature", "key encipherment"));

        X509Certificate cert = Pem.parseCertificate(pem, "signed");
        assertThat(cert.getPublicKey()).isEqualTo(keys.getPublic());
        assertThat(cert.getExtendedKeyUsage()).containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(cert.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(cert.getKeyUsage()[2]).as("keyEncipherment").isTrue();
        assertThat(cert.getKeyUsage()[5]).as("keyCertSign").isFalse();
        assertThat(cert.getBasicConstraints()).isEqualTo(-1);
        assertThat(cert.getSubjectAlternativeNames())
                .containsExactlyInAnyOrder(List.of(2, "lab1.local"), List.of(7, "10.0.0.7"));
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(clock.instant().plus(Duration.ofDays(30)));
        assertThat(ca.verifyClientChain(new X509Certificate[] {cert}))
                .isEqualTo(new Identity("system:node:lab1", List.of("system:nodes")));
    }

    @Test
    void rejectsACsrWhoseSignatureDoesNotMatchItsKey() throws Exception {
        ClusterCa ca = ClusterCa.loadOrCreate(dir, clock);
        byte[] forged = csr("CN=admin,O=system:masters", ClusterCa.newKeyPair(), ClusterCa.newKeyPair());

        assertThatThrownBy(() -> ca.signCsr(forged, Duration.ofDays(1), Set.of("client auth")))
                .isInstanceOf(CertificateRejectedException.class)
                .hasMessage("certificate request for O=system:masters,CN=admin has an invalid signature: "
                        + "it was altered or not signed with the key it carries");
    }

    @Test
    void rejectsACsrAskingForUnsupportedUsages() throws Exception {
        ClusterCa ca = ClusterCa.loadOrCreate(dir, clock);
        KeyPair keys = ClusterCa.newKeyPair();
        byte[] csr = csr("CN=alice", keys, keys);

        assertThatThrownBy(() -> ca.signCsr(csr, Duration.ofDays(1), Set.of("client auth", "cert sign")))
                .hasMessage("certificate request for CN=alice: usage \"cert sign\" is not supported; supported: "
                        + "[client auth, digital signature, key encipherment, server auth]");
        assertThatThrownBy(() -> ca.signCsr(csr, Duration.ofDays(1), Set.of()))
                .hasMessageContaining("usages must not be empty");
    }

    @Test
    void rejectsAClientCsrWithoutCommonName() throws Exception {
        ClusterCa ca = ClusterCa.loadOrCreate(dir, clock);
        KeyPair keys = ClusterCa.newKeyPair();
        byte[] csr = csr("O=devs", keys, keys);

        assertThatThrownBy(() -> ca.signCsr(csr, Duration.ofDays(1), Set.of("client auth")))
                .isInstanceOf(CertificateRejectedException.class)
                .hasMessage("certificate request for client auth needs a CN: the user name");
    }

    @Test
    void rejectsInputThatIsNotACsr() {
        ClusterCa ca = ClusterCa.loadOrCreate(dir, clock);

        assertThatThrownBy(() -> ca.signCsr("hello".getBytes(StandardCharsets.US_ASCII), Duration.ofDays(1),
                Set.of("client auth")))
                .isInstanceOf(CertificateRejectedException.class)
                .hasMessage("certificate request: no PEM CERTIFICATE REQUEST block found");
        assertThatThrownBy(() -> ca.signCsr(ca.certificatePem().getBytes(StandardCharsets.US_ASCII),
                Duration.ofDays(1), Set.of("client auth")))
                .hasMessage("certificate request: no PEM CERTIFICATE REQUEST block found");
    }

    @Test
    void issuesDistinctPositiveSerialNumbers() {
        ClusterCa ca = ClusterCa.loadOrCreate(dir, clock);

        BigInteger a = ca.issueClient("a", List.of(), Duration.ofDays(1)).certificate().getSerialNumber();
        BigInteger b = ca.issueClient("b", List.of(), Duration.ofDays(1)).certificate().getSerialNumber();

        assertThat(a).isPositive().isNotEqualTo(b);
    }

    /** A PEM CSR for {@code subject} carrying {@code publicKeyOf}'s key, signed with {@code signer}'s key. */
    static byte[] csr(String subject, KeyPair publicKeyOf, KeyPair signer, String... dnsThenIp) throws Exception {
        JcaPKCS10CertificationRequestBuilder builder =
                new JcaPKCS10CertificationRequestBuilder(new X500Principal(subject), publicKeyOf.getPublic());
        if (dnsThenIp.length > 0) {
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, dnsThenIp[0]),
                    new GeneralName(GeneralName.iPAddress, dnsThenIp[1])}));
            builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
        }
        PKCS10CertificationRequest request =
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate()));
        java.io.StringWriter out = new java.io.StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(request);
        }
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
