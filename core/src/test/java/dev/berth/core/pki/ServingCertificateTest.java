package dev.berth.core.pki;

import static dev.berth.core.pki.PkiTesting.mode;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServingCertificateTest {
    static final InetAddress SERVICE_IP = ServingCertificate.DEFAULT_KUBERNETES_SERVICE_IP;
    @TempDir Path dir;
    final MutableClock clock = MutableClock.at("2026-03-01T08:00:00Z");

    @Test
    void coversListenAddressKubernetesNamesServiceIpAndLoopback() throws Exception {
        ClusterCa ca = ClusterCa.loadOrCreate(dir, clock);

        ServingCertificate serving = ServingCertificate.ensure(dir, ca, List.of("192.168.1.20", "lab.example"), SERVICE_IP, clock);

        assertThat(serving.certifiedKey().certificate().getSubjectAlternativeNames()).containsExactlyInAnyOrder(
                List.of(2, "lab.example"),
                List.of(2, "kubernetes"), List.of(2, "kubernetes.default"), List.of(2, "kubernetes.default.svc"),
                List.of(2, "kubernetes.default.svc.cluster.local"), List.of(2, "localhost"),
                List.of(7, "192.168.1.20"), List.of(7, "10.43.0.1"), List.of(7, "127.0.0.1"));
        assertThat(serving.issuedBecause()).contains(dir.resolve("apiserver.crt") + " is missing");
        assertThat(mode(dir.resolve("apiserver.key"))).isEqualTo("rw-------");
        assertThat(ca.signed(serving.certifiedKey().certificate())).isTrue();
    }

    @Test
    void reusesTheFilesWhileTheyStillFit() {
        ClusterCa ca = ClusterCa.loadOrCreate(dir, clock);
        X509Certificate first = ServingCertificate.ensure(dir, ca, List.of("127.0.0.1"), SERVICE_IP, clock)
                .certifiedKey().certificate();
        clock.advance(Duration.ofDays(300));

        ServingCertificate again = ServingCertificate.ensure(dir, ca, List.of("127.0.0.1"), SERVICE_IP, clock);

        assertThat(again.issuedBecause()).isEmpty();
        assertThat(again.certifiedKey().certificate()).isEqualTo(first);
    }

    @Test
    void reissuesWhenANewListenAddressIsNotCovered() {
        ClusterCa ca = ClusterCa.loadOrCreate(dir, clock);
        ServingCertificate.ensure(dir, ca, List.of("127.0.0.1"), SERVICE_IP, clock);

        ServingCertificate again = ServingCertificate.ensure(dir, ca, List.of("10.1.2.3", "[fd00::5]"), SERVICE_IP, clock);

        assertThat(again.issuedBecause()).contains("it does not cover 10.1.2.3, fd00:0:0:0:0:0:0:5");
        assertThat(ServingCertificate.ensure(dir, ca, List.of("10.1.2.3", "fd00::5"), SERVICE_IP, clock).issuedBecause())
                .isEmpty();
    }

    @Test
    void reissuesThirtyDaysBeforeExpiry() {
        ClusterCa ca = ClusterCa.loadOrCreate(dir, clock);
        X509Certificate first = ServingCertificate.ensure(dir, ca, List.of(), SERVICE_IP, clock)
                .certifiedKey().certificate();
        clock.advance(Duration.ofDays(336));

        ServingCertificate again = ServingCertificate.ensure(dir, ca, List.of(), SERVICE_IP, clock);

        assertThat(again.issuedBecause()).hasValueSatisfying(reason ->
                assertThat(reason).isEqualTo("it expires at 2027-03-01T08:00:00Z, within 30 days"));
        assertThat(again.certifiedKey().certificate().getNotAfter()).isAfter(first.getNotAfter());
    }

    @Test
    void reissuesWhenTheCaChanged() throws Exception {
        ClusterCa.loadOrCreate(dir, clock);
        ServingCertificate.ensure(dir, ClusterCa.load(dir, clock), List.of(), SERVICE_IP, clock);
        Files.delete(dir.resolve("ca.crt"));
        Files.delete(dir.resolve("ca.key"));
        ClusterCa newCa = ClusterCa.loadOrCreate(dir, clock);

        ServingCertificate again = ServingCertificate.ensure(dir, newCa, List.of(), SERVICE_IP, clock);

        assertThat(again.issuedBecause()).contains("it was not issued by the cluster CA " + newCa.fingerprint());
        assertThat(newCa.signed(again.certifiedKey().certificate())).isTrue();
    }

    @Test
    void reissuesWhenTheKeyFileIsDamaged() throws Exception {
        ClusterCa ca = ClusterCa.loadOrCreate(dir, clock);
        ServingCertificate.ensure(dir, ca, List.of(), SERVICE_IP, clock);
        Files.writeString(dir.resolve("apiserver.key"), "garbage");

        ServingCertificate again = ServingCertificate.ensure(dir, ca, List.of(), SERVICE_IP, clock);

        assertThat(again.issuedBecause()).hasValueSatisfying(reason -> assertThat(reason).contains("apiserver.key"));
    }

    @Test
    void wildcardListenAddressCoversThisMachinesAddresses() throws Exception {
        ClusterCa ca = ClusterCa.loadOrCreate(dir, clock);

        ServingCertificate serving = ServingCertificate.ensure(dir, ca, List.of("0.0.0.0"), SERVICE_IP, clock);

        assertThat(serving.certifiedKey().certificate().getSubjectAlternativeNames())
                .contains(List.of(7, "127.0.0.1"))
                .doesNotContain(List.of(7, "0.0.0.0"));
    }
}
