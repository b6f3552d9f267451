package dev.berth.core.apiserver;

import dev.berth.core.testing.Kubectl;
import dev.berth.core.testing.OpenSslClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The API server speaks TLS 1.2 and 1.3 with AEAD suites only; older clients are refused in the handshake. */
class TlsProtocolsIT {
    @TempDir
    static Path dir;
    static TestApiServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new TestApiServer(dir);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void aTls11ClientIsRefused() {
        OpenSslClient.Handshake h = OpenSslClient.connect(server.port(), "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");
        assertThat(h.completed()).as(h.output()).isFalse();
        assertThat(h.output()).contains("alert protocol version");
    }

    @Test
    void aClientOfferingOnlyCbcSuitesIsRefused() {
        OpenSslClient.Handshake h = OpenSslClient.connect(server.port(), "-tls1_2",
                "-cipher", "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256:AES128-SHA256");
        assertThat(h.completed()).as(h.output()).isFalse();
        assertThat(h.output()).contains("alert handshake failure");
    }

    @Test
    void tls12WithEcdheAndGcmAndTls13AreSpoken() {
        OpenSslClient.Handshake tls12 = OpenSslClient.connect(server.port(), "-tls1_2",
                "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305");
        assertThat(tls12.completed()).as(tls12.output()).isTrue();
        assertThat(tls12.output()).contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-");
        OpenSslClient.Handshake tls13 = OpenSslClient.connect(server.port(), "-tls1_3");
        assertThat(tls13.completed()).as(tls13.output()).isTrue();
        assertThat(tls13.output()).contains("New, TLSv1.3");
    }

    @Test
    void kubectlStillWorks() throws Exception {
        Kubectl kubectl = new Kubectl(server.kubeconfig(), Files.createDirectories(dir.resolve("home")));
        assertThat(kubectl.run("get", "namespaces", "-o", "name").ok().out()).contains("namespace/default");
    }
}
