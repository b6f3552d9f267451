package dev.berth.agent.identity;

import dev.berth.core.controller.runtime.FakeClock;
import dev.berth.core.pki.ClusterCa;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ServingCertificatesTest {
    @TempDir
    Path dir;

    @Test
    void aCertificateIsRenewedAtEightyPercentOfItsLife() {
        FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
        ClusterCa ca = ClusterCa.loadOrCreate(dir, clock);
        var ip = InetAddress.ofLiteral("10.0.0.5");
        var key = ca.issueServing(Set.of("n1"), Set.of(ip), Duration.ofDays(10));
        Instant notBefore = key.certificate().getNotBefore().toInstant();
        Instant notAfter = key.certificate().getNotAfter().toInstant();

        Instant renewAt = ServingCertificates.renewAt(key.certificate());

        assertThat(Duration.between(notBefore, renewAt).toMillis())
                .isEqualTo((long) (Duration.between(notBefore, notAfter).toMillis() * 0.8));
        var names = new ServingCertificates.Names(Set.of("n1"), Set.of(ip));
        assertThat(ServingCertificates.usable(key.certificate(), names, clock.instant())).isTrue();
        assertThat(ServingCertificates.usable(key.certificate(), names, renewAt.minusSeconds(1))).isTrue();
        assertThat(ServingCertificates.usable(key.certificate(), names, renewAt)).isFalse();
    }

    @Test
    void aCertificateMissingANameOfTheNodeIsNotUsed() {
        FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
        ClusterCa ca = ClusterCa.loadOrCreate(dir, clock);
        var key = ca.issueServing(Set.of("n1"), Set.of(InetAddress.ofLiteral("10.0.0.5")), Duration.ofDays(10));

        var moved = new ServingCertificates.Names(Set.of("n1"), Set.of(InetAddress.ofLiteral("10.0.0.6")));
        assertThat(ServingCertificates.usable(key.certificate(), moved, clock.instant())).isFalse();
        var renamed = new ServingCertificates.Names(Set.of("N1", "n1.lab"), Set.of());
        assertThat(ServingCertificates.usable(key.certificate(), renamed, clock.instant())).isFalse();
    }

    @Test
    void theRequestNamesTheNodeAsKubeletDoes() {
        var names = new ServingCertificates.Names(Set.of("n1"), Set.of(InetAddress.ofLiteral("10.0.0.5")));
        String pem = ServingCertificates.certificateRequestPem("n1", names, ServingCertificates.newKeyPair());

        PKCS10CertificationRequest request = dev.berth.core.pki.Pem.parseCertificateRequest(pem, "test");
        assertThat(request.getSubject().toString()).isEqualTo("O=system:nodes,CN=system:node:n1");
        assertThat(pem).startsWith("-----BEGIN CERTIFICATE REQUEST-----");
        assertThat(ServingCertificates.USAGES).containsExactly("digital signature", "key encipherment", "server auth");
    }
}
