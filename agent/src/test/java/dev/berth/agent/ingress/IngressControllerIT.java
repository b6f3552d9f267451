package dev.berth.agent.ingress;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.berth.core.apiserver.TestApiServer;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.pki.CertifiedKey;
import dev.berth.core.pki.ClusterCa;
import dev.berth.core.pki.Tls;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static dev.berth.agent.ingress.IngressFixtures.path;
import static dev.berth.agent.ingress.IngressFixtures.rule;
import static dev.berth.agent.ingress.IngressFixtures.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ingress controller against a real API server: Services and EndpointSlices point at
 * in-process HTTP backends on 127.0.0.x, and requests go through the proxy on free ports of
 * 127.0.0.1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IngressControllerIT {
    private static final Duration PROPAGATION = Duration.ofSeconds(60);
    private static final long STREAMED_BYTES = 96L * 1024 * 1024;

    private TestApiServer api;
    private KubernetesClient client;
    private Informers informers;
    private IngressController controller;
    private NettyTestClient http;
    private final List<HttpServer> backends = new ArrayList<>();
    private EventLoopGroup wsGroup;
    private ClusterCa ca;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        api = new TestApiServer(dir);
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(api.kubeconfig()))).build();
        informers = new Informers(client);
        informers.start();
        http = new NettyTestClient();
        ca = ClusterCa.loadOrCreate(dir.resolve("test-ca"), Clock.systemUTC());

        serviceWith("web", backend("127.0.0.2", "web-a"), backend("127.0.0.3", "web-b"));
        serviceWith("api", backend("127.0.0.4", "api"));
        serviceWith("fallback", backend("127.0.0.5", "fallback"));
        serviceWith("down", new Endpoint(new InetSocketAddress("127.0.0.2", 9), false));
        serviceWith("refusing", new Endpoint(new InetSocketAddress("127.0.0.6", closedPort("127.0.0.6")), true));
        serviceWith("ws", new Endpoint(webSocketBackend("127.0.0.7"), true));
        CertifiedKey secure = ca.issueServing(Set.of("secure.lab"), Set.of(), Duration.ofDays(1));
        client.secrets().inNamespace("default").resource(new SecretBuilder().withNewMetadata().withName("secure-tls")
                .endMetadata().withType("kubernetes.io/tls").withData(Map.of(
                        "tls.crt", b64(secure.certificatePem()), "tls.key", b64(secure.privateKeyPem()))).build()).create();

        Ingress web = new IngressBuilder(IngressFixtures.ingress("default", "web", null, service("fallback", "http"),
                rule("web.lab", path("Prefix", "/", service("web", 80)), path("Prefix", "/api", service("api", "http"))),
                rule("*.apps.lab", path("Prefix", "/", service("api", 80))),
                rule("secure.lab", path("Prefix", "/", service("web", 80))),
                rule(null, path("Exact", "/down", service("down", 80)), path("Exact", "/refusing", service("refusing", 80)),
                        path("Prefix", "/stream", service("web", 80)), path("Prefix", "/ws", service("ws", 80)))))
                .editSpec().addNewTl().withHosts("secure.lab").withSecretName("secure-tls").endTl().endSpec().build();
        web.getMetadata().setCreationTimestamp(null);
        client.network().v1().ingresses().inNamespace("default").resource(web).create();
        // an Ingress of another controller: never served, never given an address
        client.network().v1().ingresses().inNamespace("default").resource(new IngressBuilder(
                IngressFixtures.ingress("default", "other", null, null,
                        rule("other.lab", path("Prefix", "/", service("web", 80)))))
                .editSpec().withIngressClassName("nginx").endSpec().build()).create();

        controller = new IngressController(client, informers, localSettings(), () -> Optional.of("127.0.0.1"),
                Clock.systemUTC()).start();
    }

    private static IngressSettings localSettings() {
        return IngressSettings.defaults().withAddress(InetAddress.ofLiteral("127.0.0.1")).withPorts(0, 0)
                .withResponseTimeout(Duration.ofSeconds(10));
    }

    @AfterAll
    void stop() {
        if (controller != null) controller.close();
        if (informers != null) informers.close();
        if (client != null) client.close();
        if (api != null) api.close();
        if (http != null) http.close();
        backends.forEach(s -> s.stop(0));
        if (wsGroup != null) wsGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void routesByHostAndPathToReadyEndpointsRoundRobinAndElseToTheDefaultBackend() throws Exception {
        NettyTestClient.Response api = await().atMost(PROPAGATION).until(() -> get("web.lab", "/api/v1"),
                r -> r.status() == 200);
        assertThat(api.body()).startsWith("backend=api path=/api/v1");

        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 4; i++) seen.add(backendOf(get("web.lab", "/")));
        assertThat(seen).containsExactlyInAnyOrder("web-a", "web-b");
        // element-wise prefixes: /apix is not under /api
        assertThat(backendOf(get("web.lab", "/apix"))).startsWith("web-");
        assertThat(backendOf(get("WEB.lab:8080", "/api"))).isEqualTo("api");
        assertThat(backendOf(get("x.apps.lab", "/"))).isEqualTo("api");
        assertThat(backendOf(get("y.x.apps.lab", "/"))).isEqualTo("fallback");
        assertThat(backendOf(get("unknown.lab", "/anything"))).isEqualTo("fallback");
        // the Ingress of another class is not served: its host falls to the default backend
        assertThat(backendOf(get("other.lab", "/"))).isEqualTo("fallback");
    }

    @Test
    void setsForwardedHeadersAndDropsHopByHopOnes() throws Exception {
        NettyTestClient.Response r = await().atMost(PROPAGATION).until(() -> get("web.lab", "/headers?x=1"),
                x -> x.status() == 200);

        assertThat(r.body()).contains("path=/headers?x=1", "xff=127.0.0.1 ", "proto=http ", "xhost=web.lab ",
                "connection=null ");
    }

    @Test
    void answers503WithoutReadyEndpointsAnd502WhenTheEndpointRefuses() throws Exception {
        NettyTestClient.Response down = await().atMost(PROPAGATION).until(() -> get("any.host", "/down"),
                r -> r.status() != 404 && !r.body().contains("backend=fallback"));
        assertThat(down.status()).isEqualTo(503);
        assertThat(down.body()).isEqualTo("503 Service Unavailable: no ready endpoints for service default/down port 80"
                + " (ingress default/web)\n");

        NettyTestClient.Response refused = get("any.host", "/refusing");
        assertThat(refused.status()).isEqualTo(502);
        assertThat(refused.body()).startsWith("502 Bad Gateway: cannot connect to /127.0.0.6:")
                .contains("connection refused");
    }

    @Test
    void servesTheSecretsCertificateBySniAndTheSelfSignedOneOtherwise() throws Exception {
        var trusting = SslContextBuilder.forClient().trustManager(ca.certificate())
                .endpointIdentificationAlgorithm("HTTPS").build();
        NettyTestClient.Response r = await().atMost(PROPAGATION).ignoreExceptions()
                .until(() -> http.get(controller.httpsAddress(), "secure.lab", "/tls", trusting), x -> x.status() == 200);
        assertThat(r.body()).contains("proto=https ", "xhost=secure.lab ");
        assertThat(r.peer().getSubjectX500Principal()).isNotEqualTo(controller.fallbackCertificate().getSubjectX500Principal());

        var anything = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        NettyTestClient.Response other = http.get(controller.httpsAddress(), "web.lab", "/", anything);
        assertThat(other.status()).isEqualTo(200);
        assertThat(other.peer()).isEqualTo(controller.fallbackCertificate());
    }

    @Test
    void writesItsAddressToTheStatusOfServedIngressesOnlyAndEachNodeAddsItsOwn() throws Exception {
        await().atMost(PROPAGATION).until(() -> addresses("web"), a -> a.equals(List.of("127.0.0.1")));

        IngressController second = new IngressController(client, informers, localSettings(),
                () -> Optional.of("127.0.0.99"), Clock.systemUTC()).start();
        try {
            await().atMost(PROPAGATION).until(() -> addresses("web"), a -> a.equals(List.of("127.0.0.1", "127.0.0.99")));
        } finally {
            second.close();
        }
        assertThat(addresses("web")).containsExactly("127.0.0.1");
        assertThat(addresses("other")).isEmpty();
    }

    @Test
    void streamsBodiesLargerThanAnyBufferBothWays() throws Exception {
        await().atMost(PROPAGATION).until(() -> get("127.0.0.1", "/stream/ping"), r -> r.status() == 200);
        HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI base = URI.create("http://127.0.0.1:" + controller.httpAddress().getPort());

        // upload: streamed with chunked encoding, digested by the backend as it arrives
        HttpResponse<String> up = jdk.send(HttpRequest.newBuilder(base.resolve("/stream/upload"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(STREAMED_BYTES))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(up.body()).isEqualTo(STREAMED_BYTES + " " + PatternStream.sha256(STREAMED_BYTES));

        // download: the backend writes without a length, the client digests as it reads
        HttpResponse<InputStream> down = jdk.send(HttpRequest.newBuilder(base.resolve("/stream/download")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(down.statusCode()).isEqualTo(200);
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        long n = 0;
        try (InputStream in = down.body()) {
            byte[] buf = new byte[64 * 1024];
            for (int r; (r = in.read(buf)) > 0; n += r) digest.update(buf, 0, r);
        }
        assertThat(n).isEqualTo(STREAMED_BYTES);
        assertThat(HexFormat.of().formatHex(digest.digest())).isEqualTo(PatternStream.sha256(STREAMED_BYTES));
    }

    @Test
    void passesWebSocketUpgradesThrough() throws Exception {
        await().atMost(PROPAGATION).until(() -> get("127.0.0.1", "/down"), r -> r.status() == 503);
        CompletableFuture<String> reply = new CompletableFuture<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + controller.httpAddress().getPort() + "/ws"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        reply.complete(data.toString());
                        return null;
                    }
                }).get(30, TimeUnit.SECONDS);
        ws.sendText("hello through the ingress", true);

        assertThat(reply.get(30, TimeUnit.SECONDS)).isEqualTo("echo: hello through the ingress");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
    }

    @Test
    void keepsTryingToListenWhileItsPortIsTakenWithoutFailingTheStart() throws Exception {
        java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, InetAddress.ofLiteral("127.0.0.1"));
        IngressController late;
        try {
            late = new IngressController(client, informers, localSettings().withPorts(taken.getLocalPort(), 0),
                    () -> Optional.of("127.0.0.98"), Clock.systemUTC()).start();
            assertThat(late.listening()).isNotDone();
            assertThat(late.httpAddress()).isNull();
        } finally {
            taken.close();
        }
        try {
            late.listening().get(60, TimeUnit.SECONDS);
            assertThat(late.httpAddress().getPort()).isEqualTo(taken.getLocalPort());
            await().atMost(PROPAGATION).until(() -> addresses("web"), a -> a.contains("127.0.0.98"));
        } finally {
            late.close();
        }
        assertThat(addresses("web")).doesNotContain("127.0.0.98");
    }

    // ---- helpers

    private NettyTestClient.Response get(String host, String path) throws Exception {
        return http.get(controller.httpAddress(), host, path, null);
    }

    private static String backendOf(NettyTestClient.Response r) {
        assertThat(r.status()).as("status of %s", r.body()).isEqualTo(200);
        return r.body().substring("backend=".length(), r.body().indexOf(' '));
    }

    private List<String> addresses(String ingress) {
        Ingress ing = client.network().v1().ingresses().inNamespace("default").withName(ingress).get();
        if (ing.getStatus() == null || ing.getStatus().getLoadBalancer() == null
                || ing.getStatus().getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        return ing.getStatus().getLoadBalancer().getIngress().stream().map(IngressLoadBalancerIngress::getIp).toList();
    }

    private record Endpoint(InetSocketAddress address, boolean ready) {
    }

    /** A Service with port 80 named http and one EndpointSlice holding {@code endpoints}, all on one target port. */
    private void serviceWith(String name, Endpoint... endpoints) {
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString(8080))
                .withProtocol("TCP").endPort().endSpec().build()).create();
        // every backend of one Service listens on the same port number, as a pod's targetPort would
        EndpointSliceBuilder slice = new EndpointSliceBuilder().withNewMetadata().withName(name + "-1")
                .addToLabels("kubernetes.io/service-name", name).endMetadata().withAddressType("IPv4")
                .addNewPort().withName("http").withPort(endpoints[0].address().getPort()).withProtocol("TCP").endPort();
        for (Endpoint e : endpoints) {
            slice.addToEndpoints(new EndpointBuilder().withAddresses(e.address().getAddress().getHostAddress())
                    .withNewConditions().withReady(e.ready()).endConditions().build());
        }
        client.discovery().v1().endpointSlices().inNamespace("default").resource(slice.build()).create();
    }

    private int sharedPort;

    /** An HTTP backend on {@code ip} answering with its name, the path and the headers it got. */
    private Endpoint backend(String ip, String name) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(ip, sharedPort), 50);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getRawPath()
                        + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
                if (path.equals("/stream/upload")) {
                    upload(exchange);
                } else if (path.equals("/stream/download")) {
                    download(exchange);
                } else {
                    var h = exchange.getRequestHeaders();
                    byte[] body = ("backend=" + name + " path=" + path + " xff=" + h.getFirst("X-Forwarded-For")
                            + " proto=" + h.getFirst("X-Forwarded-Proto") + " xhost=" + h.getFirst("X-Forwarded-Host")
                            + " connection=" + h.getFirst("Connection") + " ").getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                }
            }
        });
        server.start();
        backends.add(server);
        sharedPort = server.getAddress().getPort();
        return new Endpoint(server.getAddress(), true);
    }

    private static void upload(HttpExchange exchange) throws IOException {
        MessageDigest digest = sha256();
        long n = 0;
        try (InputStream in = exchange.getRequestBody()) {
            byte[] buf = new byte[64 * 1024];
            for (int r; (r = in.read(buf)) > 0; n += r) digest.update(buf, 0, r);
        }
        byte[] body = (n + " " + HexFormat.of().formatHex(digest.digest())).getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
    }

    private static void download(HttpExchange exchange) throws IOException {
        exchange.sendResponseHeaders(200, 0);   // chunked: no length known up front
        try (OutputStream out = exchange.getResponseBody(); InputStream in = new PatternStream(STREAMED_BYTES)) {
            in.transferTo(out);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A Netty WebSocket server on {@code ip} answering every text frame with "echo: " and the text. */
    private InetSocketAddress webSocketBackend(String ip) throws InterruptedException {
        wsGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        Channel ch = new ServerBootstrap().group(wsGroup).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler("/ws"),
                                new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
                                        ctx.writeAndFlush(new TextWebSocketFrame("echo: " + frame.text()));
                                    }
                                });
                    }
                }).bind(new InetSocketAddress(ip, 0)).sync().channel();
        return (InetSocketAddress) ch.localAddress();
    }

    private static int closedPort(String ip) throws IOException {
        try (var s = new java.net.ServerSocket(0, 1, InetAddress.ofLiteral(ip))) {
            return s.getLocalPort();
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** {@code length} bytes of a repeating pattern, produced on the fly. */
    static final class PatternStream extends InputStream {
        private long left;
        private long position;

        PatternStream(long length) {
            this.left = length;
        }

        @Override
        public int read() {
            if (left == 0) return -1;
            left--;
            return (int) (position++ * 31 % 251);
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) return -1;
            int n = (int) Math.min(len, left);
            for (int i = 0; i < n; i++) b[off + i] = (byte) (position++ * 31 % 251);
            left -= n;
            return n;
        }

        static String sha256(long length) throws IOException {
            MessageDigest digest = IngressControllerIT.sha256();
            try (InputStream in = new PatternStream(length)) {
                byte[] buf = new byte[64 * 1024];
                for (int r; (r = in.read(buf)) > 0; ) digest.update(buf, 0, r);
            }
            return HexFormat.of().formatHex(digest.digest());
        }
    }
}
