package dev.berth.agent.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.agent.runtime.docker.DockerRuntime;
import dev.berth.agent.stream.PodStreams;
import dev.berth.agent.testing.TestDocker;
import dev.berth.core.api.Json;
import dev.berth.core.pki.CertifiedKey;
import dev.berth.core.pki.ClusterCa;
import dev.berth.core.pki.KubeletClientCertificate;
import dev.berth.core.pki.Tls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The agent's {@code POST /images/load}: a real server loading a {@code docker save} tar into real Docker. */
class ImageLoadIT {
    @TempDir
    static Path dir;
    static ClusterCa ca;
    static CertifiedKey apiServerClient;
    static DockerRuntime runtime;
    static AgentServer server;
    static int port;
    static String prefix;
    static String busybox;

    @BeforeAll
    static void start() throws Exception {
        TestDocker.require();
        busybox = TestDocker.busybox();
        prefix = TestDocker.runPrefix();
        ca = ClusterCa.loadOrCreate(dir.resolve("pki"), Clock.systemUTC());
        CertifiedKey serving = ca.issueServing(Set.of("localhost"), Set.of(InetAddress.getByName("127.0.0.1")),
                Duration.ofDays(1));
        apiServerClient = KubeletClientCertificate.ensure(dir.resolve("pki"), ca, Clock.systemUTC());
        runtime = new DockerRuntime(DockerRuntime.DEFAULT_HOST, prefix, "node-a");
        server = new AgentServer(new InetSocketAddress("127.0.0.1", 0), serving.certificatePem(), serving.privateKeyPem(),
                ca.certificatePem(), Map.of(), new PodStreams((ns, name) -> java.util.Optional.empty(), runtime, Clock.systemUTC()), runtime::loadImages);
        port = server.start().getPort();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (runtime != null) runtime.close();
        if (prefix != null) TestDocker.removeAll(prefix);
    }

    private static HttpResponse<String> post(SSLContext ssl, String method, HttpRequest.BodyPublisher body) throws Exception {
        try (HttpClient c = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build()) {
            return c.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/images/load"))
                    .header("Content-Type", "application/x-tar").method(method, body)
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void loadsADockerSaveTarStreamedInChunksAndNamesTheImages() throws Exception {
        String tag = prefix + "busybox:loaded";
        try {
            assertThat(TestDocker.docker("tag", busybox, tag).exit()).isZero();
            Path tar = dir.resolve("image.tar");
            TestDocker.Result saved = TestDocker.docker("save", "-o", tar.toString(), tag);
            assertThat(saved.exit()).as(saved.output()).isZero();
            assertThat(TestDocker.docker("rmi", tag).exit()).isZero();
            assertThat(runtime.imageId(tag)).isEmpty();

            AtomicLong sent = new AtomicLong();
            // no length: the body goes out chunked, as a stream the agent cannot aggregate
            HttpResponse<String> r = post(Tls.clientSSLContext(ca.certificate(), apiServerClient), "POST",
                    HttpRequest.BodyPublishers.ofInputStream(() -> counting(tar, sent)));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode answer = Json.parse(r.body().getBytes());
            assertThat(answer.path("images").get(0).asText()).isEqualTo(tag);
            assertThat(sent.get()).isEqualTo(Files.size(tar));
            assertThat(runtime.imageId(tag)).isEqualTo(runtime.imageId(busybox));
        } finally {
            TestDocker.docker("rmi", tag);
        }
    }

    @Test
    void aBodyThatIsNoImageArchiveIsAStatusErrorWithTheEnginesMessage() throws Exception {
        HttpResponse<String> r = post(Tls.clientSSLContext(ca.certificate(), apiServerClient), "POST",
                HttpRequest.BodyPublishers.ofString("this is not a tar"));
        assertThat(r.statusCode()).isBetween(400, 599);
        JsonNode status = Json.parse(r.body().getBytes());
        assertThat(status.path("kind").asText()).isEqualTo("Status");
        assertThat(status.path("message").asText()).contains("loading images failed").hasSizeGreaterThan(30);
    }

    @Test
    void aLargeStreamedBodyThatIsNoImageArchiveIsAStatusError() throws Exception {
        byte[] junk = new byte[8 * 1024 * 1024];
        java.util.Arrays.fill(junk, (byte) 'x');
        HttpResponse<String> r = post(Tls.clientSSLContext(ca.certificate(), apiServerClient), "POST",
                HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(junk)));
        assertThat(r.statusCode()).isBetween(400, 599);
        assertThat(Json.parse(r.body().getBytes()).path("message").asText()).contains("loading images failed");
    }

    @Test
    void anEmptyBodyIsABadRequestNamingWhatIsExpected() throws Exception {
        HttpResponse<String> r = post(Tls.clientSSLContext(ca.certificate(), apiServerClient), "POST",
                HttpRequest.BodyPublishers.noBody());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("\"kind\":\"Status\"").contains("docker save");
    }

    @Test
    void onlyPostIsAllowed() throws Exception {
        HttpResponse<String> r = post(Tls.clientSSLContext(ca.certificate(), apiServerClient), "GET",
                HttpRequest.BodyPublishers.noBody());
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.body()).contains("only POST is allowed on /images/load");
    }

    @Test
    void anotherClusterIdentityIsForbiddenBeforeAnythingIsLoaded() throws Exception {
        CertifiedKey node = ca.issueClient("system:node:node-1", List.of("system:nodes"), Duration.ofDays(1));
        HttpResponse<String> r = post(Tls.clientSSLContext(ca.certificate(), node), "POST",
                HttpRequest.BodyPublishers.ofByteArray(new byte[256 * 1024]));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("system:node:node-1");
    }

    private static InputStream counting(Path file, AtomicLong count) {
        try {
            InputStream in = Files.newInputStream(file);
            return new java.io.FilterInputStream(in) {
                @Override
                public int read(byte[] b, int off, int len) throws java.io.IOException {
                    int n = super.read(b, off, Math.min(len, 8192));
                    if (n > 0) count.addAndGet(n);
                    return n;
                }
            };
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
