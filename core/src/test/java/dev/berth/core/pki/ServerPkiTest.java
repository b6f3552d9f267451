package dev.berth.core.pki;

import static dev.berth.core.pki.PkiTesting.mode;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerPkiTest {
    @TempDir Path dataDir;
    final MutableClock clock = MutableClock.at("2026-01-10T12:00:00Z");

    @Test
    void firstStartCreatesTheCaServingCertificateKeysAndAnAdminKubeconfig() {
        ServerPki pki = ServerPki.prepare(dataDir, "127.0.0.1", 6443, clock);

        assertThat(dataDir.resolve("pki")).isDirectory();
        assertThat(List.of("ca.crt", "ca.key", "apiserver.crt", "apiserver.key", "tokens.json", "encryption.key"))
                .allSatisfy(name -> assertThat(dataDir.resolve("pki").resolve(name)).exists());
        assertThat(pki.adminKubeconfig()).isEqualTo(dataDir.resolve("admin.kubeconfig"));
        assertThat(mode(pki.adminKubeconfig())).isEqualTo("rw-------");

        Kubeconfig admin = Kubeconfig.read(pki.adminKubeconfig());
        assertThat(admin.server()).isEqualTo("https://127.0.0.1:6443");
        assertThat(admin.certificateAuthorities()).containsExactly(pki.ca().certificate());
        assertThat(pki.tokens().authenticate(admin.token()))
                .contains(new Identity("admin", List.of("system:masters")));
        assertThat(pki.servingCertificate().issuedBecause()).isPresent();
    }

    @Test
    void aRestartKeepsTheCaTheTokenAndTheKubeconfigFile() throws Exception {
        ServerPki first = ServerPki.prepare(dataDir, "127.0.0.1", 6443, clock);
        Path kubeconfig = first.adminKubeconfig();
        FileTime marker = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
        Files.setLastModifiedTime(kubeconfig, marker);

        ServerPki second = ServerPki.prepare(dataDir, "127.0.0.1", 6443, clock);

        assertThat(second.ca().fingerprint()).isEqualTo(first.ca().fingerprint());
        assertThat(second.servingCertificate().issuedBecause()).isEmpty();
        assertThat(second.tokens().size()).isEqualTo(1);
        assertThat(Files.getLastModifiedTime(kubeconfig)).as("not rewritten").isEqualTo(marker);
    }

    @Test
    void aNewListenAddressUpdatesTheKubeconfigServerAndKeepsTheToken() {
        String token = Kubeconfig.read(ServerPki.prepare(dataDir, "127.0.0.1", 6443, clock).adminKubeconfig()).token();

        ServerPki moved = ServerPki.prepare(dataDir, "192.168.7.2", 7443, clock);

        Kubeconfig admin = Kubeconfig.read(moved.adminKubeconfig());
        assertThat(admin.server()).isEqualTo("https://192.168.7.2:7443");
        assertThat(admin.token()).isEqualTo(token);
        assertThat(moved.servingCertificate().issuedBecause()).contains("it does not cover 192.168.7.2");
    }

    @Test
    void aLostTokenStoreGetsANewAdminToken() throws Exception {
        String lost = Kubeconfig.read(ServerPki.prepare(dataDir, "127.0.0.1", 6443, clock).adminKubeconfig()).token();
        Files.delete(dataDir.resolve("pki/tokens.json"));

        ServerPki again = ServerPki.prepare(dataDir, "127.0.0.1", 6443, clock);

        String token = Kubeconfig.read(again.adminKubeconfig()).token();
        assertThat(token).isNotEqualTo(lost);
        assertThat(again.tokens().authenticate(token)).contains(ServerPki.ADMIN);
        assertThat(again.tokens().authenticate(lost)).isEmpty();
    }

    @Test
    void wildcardListenAddressesAreReachedThroughLoopback() {
        assertThat(ServerPki.serverUrl("0.0.0.0", 6443)).isEqualTo("https://127.0.0.1:6443");
        assertThat(ServerPki.serverUrl("::", 6443)).isEqualTo("https://127.0.0.1:6443");
        assertThat(ServerPki.serverUrl("[::]", 6443)).isEqualTo("https://127.0.0.1:6443");
        assertThat(ServerPki.serverUrl("fd00::1", 6443)).isEqualTo("https://[fd00::1]:6443");
        assertThat(ServerPki.serverUrl("lab.example", 443)).isEqualTo("https://lab.example:443");
    }

    @Test
    void kubectlAcceptsTheAdminKubeconfig() throws Exception {
        ServerPki pki = ServerPki.prepare(dataDir, "0.0.0.0", 6443, clock);

        assertThat(KubeconfigTest.kubectlConfigView(pki.adminKubeconfig()).at("/users/0/user/token").asText())
                .isEqualTo(Kubeconfig.read(pki.adminKubeconfig()).token());
    }
}
