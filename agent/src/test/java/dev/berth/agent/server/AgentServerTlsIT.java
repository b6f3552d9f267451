package dev.berth.agent.server;

import dev.berth.agent.stream.PodStreams;
import dev.berth.agent.stream.ProcessRuntime;
import dev.berth.core.pki.CertifiedKey;
import dev.berth.core.pki.ClusterCa;
import dev.berth.core.pki.KubeletClientCertificate;
import dev.berth.core.testing.OpenSslClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The agent's stream endpoint speaks TLS 1.2 and 1.3 with AEAD suites only, to the API server's certificate only. */
class AgentServerTlsIT {
    @TempDir
    static Path dir;
    static AgentServer server;
    static int port;
    static Path clientCert;
    static Path clientKey;

    @BeforeAll
    static void start() throws Exception {
        ClusterCa ca = ClusterCa.loadOrCreate(dir.resolve("pki"), Clock.systemUTC());
        CertifiedKey serving = ca.issueServing(Set.of("localhost"), Set.of(InetAddress.getByName("127.0.0.1")),
                Duration.ofDays(1));
        CertifiedKey apiServer = KubeletClientCertificate.ensure(dir.resolve("pki"), ca, Clock.systemUTC());
        clientCert = Files.writeString(dir.resolve("client.crt"), apiServer.certificatePem());
        clientKey = Files.writeString(dir.resolve("client.key"), apiServer.privateKeyPem());
        ProcessRuntime runtime = new ProcessRuntime();
        server = new AgentServer(new InetSocketAddress("127.0.0.1", 0), serving.certificatePem(), serving.privateKeyPem(),
                ca.certificatePem(), Map.of("/healthz", (path, query) -> GetHandler.Response.text(200, "ok")),
                new PodStreams(runtime, runtime, Clock.systemUTC()));
        port = server.start().getPort();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void aTls11ClientIsRefused() {
        OpenSslClient.Handshake h = OpenSslClient.connect(port, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0",
                "-cert", clientCert.toString(), "-key", clientKey.toString());
        assertThat(h.completed()).as(h.output()).isFalse();
        assertThat(h.output()).contains("alert protocol version");
    }

    @Test
    void aClientOfferingOnlyCbcSuitesIsRefused() {
        OpenSslClient.Handshake h = OpenSslClient.connect(port, "-tls1_2",
                "-cipher", "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256:AES128-SHA256",
                "-cert", clientCert.toString(), "-key", clientKey.toString());
        assertThat(h.completed()).as(h.output()).isFalse();
        assertThat(h.output()).contains("alert handshake failure");
    }

    @Test
    void theApiServersCertificateOverTls12WithGcmIsAccepted() {
        OpenSslClient.Handshake h = OpenSslClient.connect(port, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384",
                "-cert", clientCert.toString(), "-key", clientKey.toString());
        assertThat(h.completed()).as(h.output()).isTrue();
        assertThat(h.output()).contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-AES256-GCM-SHA384");
    }
}
