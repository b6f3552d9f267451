package dev.berth.agent.prober;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.berth.core.controller.RecordedEvents;
import dev.berth.core.controller.runtime.FakeClock;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP probe against real HTTP and HTTPS servers on loopback. */
class HttpGetProbeTest {
    private static HttpServer server;
    private static HttpsServer tlsServer;
    private static ExecutorService serverThreads;
    private static EventLoopGroup group;
    private static HttpGetProber prober;
    private static final CountDownLatch release = new CountDownLatch(1);
    private static final Map<String, com.sun.net.httpserver.Headers> seen = new ConcurrentHashMap<>();
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        serverThreads = Executors.newCachedThreadPool();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(serverThreads);
        server.createContext("/", HttpGetProbeTest::handle);
        server.start();
        port = server.getAddress().getPort();

        KeyPair pair = KeyPairGenerator.getInstance("EC").generateKeyPair();
        X500Name name = new X500Name("CN=probe.test");
        Instant now = Instant.now();
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                name, BigInteger.ONE, Date.from(now.minusSeconds(60)), Date.from(now.plusSeconds(3600)), name, pair.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("probe", pair.getPrivate(), new char[0], new Certificate[]{cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        tlsServer = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        tlsServer.setHttpsConfigurator(new HttpsConfigurator(tls));
        tlsServer.setExecutor(serverThreads);
        tlsServer.createContext("/", HttpGetProbeTest::handle);
        tlsServer.start();

        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        prober = new HttpGetProber(group, DefaultProbes.USER_AGENT);
        // the first exchange loads Netty's classes, which on a busy machine can outlast a 1 s timeout
        prober.probe("http://127.0.0.1:" + port + "/warm-up", List.of(), Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        release.countDown();
        server.stop(0);
        tlsServer.stop(0);
        serverThreads.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private static void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        seen.put(exchange.getRequestURI().toString(), exchange.getRequestHeaders());
        switch (path) {
            case "/ok" -> reply(exchange, 200, "fine");
            case "/fail" -> reply(exchange, 500, "database password is hunter2");
            case "/missing" -> reply(exchange, 404, "");
            case "/same-host" -> redirect(exchange, 302, "/ok");
            case "/same-host-absolute" -> redirect(exchange, 301, "http://127.0.0.1:" + port + "/ok");
            case "/to-failure" -> redirect(exchange, 307, "/fail");
            case "/other-host" -> redirect(exchange, 302, "http://localhost:" + port + "/ok");
            case "/loop" -> redirect(exchange, 302, "/loop");
            case "/big" -> reply(exchange, 200, "x".repeat(100_000));
            case "/slow" -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                reply(exchange, 200, "late");
            }
            default -> reply(exchange, 200, "other");
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void redirect(HttpExchange exchange, int status, String location) throws IOException {
        exchange.getResponseHeaders().set("Location", location);
        reply(exchange, status, "moved");
    }

    private static ProbeResult get(String path, HttpGetProber.Header... headers) throws ProbeException {
        return prober.probe("http://127.0.0.1:" + port + path, List.of(headers), Duration.ofSeconds(5));
    }

    @Test
    void passesOn2xxWithTheBodyAsOutput() throws Exception {
        assertThat(get("/ok")).isEqualTo(ProbeResult.success("fine"));
    }

    @Test
    void failsOnErrorStatusWithoutRevealingTheBody() throws Exception {
        assertThat(get("/fail")).isEqualTo(ProbeResult.failure("HTTP probe failed with statuscode: 500"));
        assertThat(get("/missing")).isEqualTo(ProbeResult.failure("HTTP probe failed with statuscode: 404"));
    }

    @Test
    void sendsKubeletsHeadersAndTheProbesOwn() throws Exception {
        get("/headers?plain");
        var plain = seen.get("/headers?plain");
        assertThat(plain.getFirst("User-Agent")).isEqualTo("kube-probe/1.32");
        assertThat(plain.getFirst("Accept")).isEqualTo("*/*");
        assertThat(plain.getFirst("Host")).isEqualTo("127.0.0.1:" + port);
        assertThat(plain.getFirst("Connection")).isEqualToIgnoringCase("close");

        get("/headers?custom", new HttpGetProber.Header("Host", "app.example.test"),
                new HttpGetProber.Header("X-Probe", "a"), new HttpGetProber.Header("X-Probe", "b"),
                new HttpGetProber.Header("User-Agent", "my-agent"), new HttpGetProber.Header("Accept", ""));
        var custom = seen.get("/headers?custom");
        assertThat(custom.getFirst("Host")).isEqualTo("app.example.test");
        assertThat(custom.get("X-Probe")).containsExactly("a", "b");
        assertThat(custom.get("User-Agent")).containsExactly("my-agent");
        assertThat(custom.containsKey("Accept")).as("an empty Accept removes it").isFalse();
    }

    @Test
    void followsRedirectsOnTheSameHost() throws Exception {
        assertThat(get("/same-host")).isEqualTo(ProbeResult.success("fine"));
        assertThat(get("/same-host-absolute")).isEqualTo(ProbeResult.success("fine"));
        assertThat(get("/to-failure")).isEqualTo(ProbeResult.failure("HTTP probe failed with statuscode: 500"));
    }

    @Test
    void keepsACustomHostThroughARelativeRedirect() throws Exception {
        get("/same-host?host", new HttpGetProber.Header("Host", "app.example.test"));
        assertThat(seen.get("/ok").getFirst("Host")).isEqualTo("app.example.test");
    }

    @Test
    void stopsAtARedirectToAnotherHostWithAWarning() throws Exception {
        assertThat(get("/other-host")).isEqualTo(ProbeResult.warning("Probe terminated redirects, Response body: moved"));
        assertThat(get("/other-host").succeeded()).isTrue();
    }

    @Test
    void givesUpAfterTenRedirects() throws Exception {
        assertThat(get("/loop")).isEqualTo(ProbeResult.failure(
                "Get \"http://127.0.0.1:" + port + "/loop\": stopped after 10 redirects"));
    }

    @Test
    void readsAtMostTenKibibytesOfBody() throws Exception {
        ProbeResult result = get("/big");
        assertThat(result.outcome()).as(result.output()).isEqualTo(ProbeResult.Outcome.SUCCESS);
        assertThat(result.output()).hasSize(10 * 1024);
    }

    @Test
    void failsWhenTheServerDoesNotAnswerWithinTheTimeout() throws Exception {
        assertThat(prober.probe("http://127.0.0.1:" + port + "/slow", List.of(), Duration.ofSeconds(1))).isEqualTo(ProbeResult.failure("Get \"http://127.0.0.1:" + port
                + "/slow\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"));
    }

    @Test
    void failsWhenNothingListens() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        assertThat(prober.probe("http://127.0.0.1:" + closed + "/healthz", List.of(), Duration.ofSeconds(1)))
                .isEqualTo(ProbeResult.failure("Get \"http://127.0.0.1:" + closed + "/healthz\": dial tcp 127.0.0.1:"
                        + closed + ": connect: connection refused"));
    }

    @Test
    void probesHttpsWithoutVerifyingTheCertificate() throws Exception {
        int tlsPort = tlsServer.getAddress().getPort();
        assertThat(prober.probe(HttpGetProber.url("HTTPS", "127.0.0.1", tlsPort, "ok"), List.of(), Duration.ofSeconds(5)))
                .isEqualTo(ProbeResult.success("fine"));
    }

    @Test
    void rejectsSchemesOtherThanHttpAndHttps() throws Exception {
        assertThat(prober.probe(HttpGetProber.url("FTP", "127.0.0.1", port, "/"), List.of(), Duration.ofSeconds(1)))
                .isEqualTo(ProbeResult.failure("Get \"ftp://127.0.0.1:" + port + "/\": unsupported protocol scheme \"ftp\""));
    }

    @Test
    void probesThePodIpOnANamedPortAndRecordsFailuresAsKubeletDoes() {
        FakeClock clock = new FakeClock();
        RecordedEvents events = new RecordedEvents();
        RecordingListener listener = new RecordingListener();
        try (DefaultProbes probes = new DefaultProbes(new ExecOnlyRuntime(), listener, events, clock)) {
            var container = new ContainerBuilder().withName("web").withImage("busybox")
                    .addNewPort().withName("http").withContainerPort(port).endPort()
                    .withLivenessProbe(new ProbeBuilder().withNewHttpGet().withPath("/fail")
                            .withPort(new IntOrString("http")).endHttpGet().withFailureThreshold(1).withTimeoutSeconds(5).build())
                    .withReadinessProbe(new ProbeBuilder().withNewHttpGet().withPath("/other-host")
                            .withPort(new IntOrString(port)).endHttpGet().withTimeoutSeconds(5).build())
                    .withStartupProbe(new ProbeBuilder().withNewHttpGet().withPath("/ok")
                            .withPort(new IntOrString("metrics")).endHttpGet().build())
                    .build();
            probes.add(new ProbeTarget("uid-1", "shop/frontend", container, "c1", "127.0.0.1", clock.instant()));
            probes.runDue();
            assertThat(events.about("frontend")).containsExactly(
                    "Warning Unhealthy: Startup probe errored: couldn't find port: metrics in container web");
            assertThat(probes.started("uid-1", "web")).isFalse();

            // the same container without the broken startup probe
            container.setStartupProbe(null);
            probes.add(new ProbeTarget("uid-1", "shop/frontend", container, "c2", "127.0.0.1", clock.instant()));
            probes.runDue();
            assertThat(events.about("frontend")).contains(
                    "Warning Unhealthy: Liveness probe failed: HTTP probe failed with statuscode: 500",
                    "Warning ProbeWarning: Readiness probe warning: Probe terminated redirects, Response body: moved");
            assertThat(probes.ready("uid-1", "web")).isTrue();
            assertThat(listener.lines()).containsExactlyInAnyOrder("web LIVENESS false", "web READINESS true");
        }
    }
}
