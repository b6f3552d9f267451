package dev.berth.core.pki;

import dev.berth.core.controller.runtime.FakeClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RotationPolicyTest {
    @TempDir
    Path dir;

    private X509Certificate certificate(FakeClock clock, Duration validity) {
        return ClusterCa.loadOrCreate(dir, clock).issueClient("ann", List.of(), validity).certificate();
    }

    @Test
    void renewalPointsAreSpreadBetweenSeventyAndNinetyPercentOfTheLife() {
        FakeClock clock = new FakeClock();
        X509Certificate certificate = certificate(clock, Duration.ofDays(100));
        Instant from = certificate.getNotBefore().toInstant();
        long life = Duration.between(from, certificate.getNotAfter().toInstant()).toMillis();
        RotationPolicy policy = RotationPolicy.defaults();
        SplittableRandom random = new SplittableRandom(7);
        Instant earliest = Instant.MAX;
        Instant latest = Instant.MIN;
        for (int i = 0; i < 500; i++) {
            Instant deadline = policy.deadline(certificate, random);
            assertThat(deadline).isBetween(from.plusMillis((long) (life * 0.7)), from.plusMillis((long) (life * 0.9)));
            earliest = deadline.isBefore(earliest) ? deadline : earliest;
            latest = deadline.isAfter(latest) ? deadline : latest;
        }
        // jittered: a fleet issued together does not renew together
        assertThat(Duration.between(earliest, latest)).isGreaterThan(Duration.ofDays(15));
        assertThat(policy.latestDeadline(certificate)).isEqualTo(from.plusMillis((long) (life * 0.9)));
    }

    @Test
    void aCertificateInItsLastTenthIsExpiringSoon() {
        FakeClock clock = new FakeClock();
        X509Certificate certificate = certificate(clock, Duration.ofHours(10));
        Instant warnFrom = RotationPolicy.warnFrom(certificate);
        assertThat(Duration.between(warnFrom, certificate.getNotAfter().toInstant()))
                .isEqualTo(Duration.ofMinutes(60).plusSeconds(30));   // 10% of 10h05m (backdated 5 minutes)
        assertThat(RotationPolicy.expiringSoon(certificate, warnFrom.minusSeconds(1))).isFalse();
        assertThat(RotationPolicy.expiringSoon(certificate, warnFrom)).isTrue();
        assertThat(RotationPolicy.expiringSoon(certificate, certificate.getNotAfter().toInstant().plusSeconds(1))).isTrue();
    }

    @Test
    void badSettingsAreRefusedNamingTheRule() {
        assertThatThrownBy(() -> RotationPolicy.defaults().withLifetime(Duration.ofMinutes(5)))
                .hasMessage("clientLifetime: invalid value PT5M: must be at least 10 minutes");
        assertThatThrownBy(() -> new RotationPolicy(Duration.ofDays(1), Duration.ofDays(1), 0.85, 0.1, Duration.ofMinutes(1)))
                .hasMessageContaining("renewal must fall after the start and before the last 10%");
        assertThatThrownBy(() -> RotationPolicy.defaults().withCheckEvery(Duration.ZERO))
                .hasMessage("checkEvery: invalid value PT0S: must be positive");
    }

    @Test
    void aServingCertificateRenewedKeepsEveryNameAndGetsTheNewLifetime() {
        FakeClock clock = new FakeClock();
        ClusterCa ca = ClusterCa.loadOrCreate(dir, clock);
        ServingCertificate first = ServingCertificate.ensure(dir, ca, List.of("lab.example", "192.168.1.20"),
                ServingCertificate.DEFAULT_KUBERNETES_SERVICE_IP, RotationPolicy.defaults().withLifetime(Duration.ofHours(10)),
                clock);
        clock.advance(Duration.ofHours(8));
        ServingCertificate renewed = first.renew(ca, List.of("127.0.0.1"), ServingCertificate.DEFAULT_KUBERNETES_SERVICE_IP,
                Duration.ofHours(10), "test");
        X509Certificate before = first.certifiedKey().certificate();
        X509Certificate after = renewed.certifiedKey().certificate();
        assertThat(after.getSerialNumber()).isNotEqualTo(before.getSerialNumber());
        assertThat(Duration.between(after.getNotBefore().toInstant(), after.getNotAfter().toInstant()))
                .isEqualTo(Duration.ofHours(10).plusMinutes(5));
        assertThat(sans(after)).containsAll(sans(before)).contains("lab.example", "192.168.1.20");
        // on disk too: a restart serves the renewed one
        assertThat(ServingCertificate.ensure(dir, ca, List.of("lab.example"), ServingCertificate.DEFAULT_KUBERNETES_SERVICE_IP,
                RotationPolicy.defaults().withLifetime(Duration.ofHours(10)), clock).certifiedKey().certificate())
                .isEqualTo(after);
        // past the latest renewal point, a (re)start issues a new one
        clock.advance(Duration.ofHours(9).plusMinutes(30));
        ServingCertificate atStart = ServingCertificate.ensure(dir, ca, List.of("lab.example"),
                ServingCertificate.DEFAULT_KUBERNETES_SERVICE_IP, RotationPolicy.defaults().withLifetime(Duration.ofHours(10)), clock);
        assertThat(atStart.issuedBecause()).hasValueSatisfying(r -> assertThat(r).contains("past its renewal point"));
    }

    private static List<String> sans(X509Certificate certificate) {
        try {
            return certificate.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList();
        } catch (java.security.cert.CertificateParsingException e) {
            throw new AssertionError(e);
        }
    }
}
