package dev.berth.core.apiserver.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.api.Json;
import dev.berth.core.apiserver.ApiServer;
import dev.berth.core.apiserver.TestApiServer;
import dev.berth.core.pki.CertifiedKey;
import dev.berth.core.pki.Tls;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.ClientAuth;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code nodes/NAME/proxy/PATH} against a stand-in agent that counts what it receives: bodies far
 * above the API server's request limit are streamed through, answers are streamed back, and
 * unreachable nodes are Status errors naming node and address.
 */
class NodeProxyIT {
    @TempDir
    static Path dir;
    static TestApiServer api;
    static KubernetesClient client;
    static HttpClient http;
    static EventLoopGroup loop;
    static Channel agent;

    @BeforeAll
    static void start() throws Exception {
        api = new TestApiServer(dir);
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(api.kubeconfig()))).build();
        http = HttpClient.newBuilder().sslContext(api.sslContext()).version(HttpClient.Version.HTTP_1_1).build();
        CertifiedKey serving = api.ca().issueServing(Set.of("localhost"), Set.of(InetAddress.getByName("127.0.0.1")),
                Duration.ofDays(1));
        loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        var ssl = Tls.serverContext(serving, api.ca(), ClientAuth.REQUIRE);
        agent = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(ssl.newHandler(ch.alloc()), new HttpServerCodec(), new CountingAgent());
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        node("reachable", ((InetSocketAddress) agent.localAddress()).getPort());
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        node("unreachable", closed);
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("simulated").endMetadata().build()).create();
    }

    private static void node(String name, int port) {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
        client.nodes().withName(name).editStatus(n -> new NodeBuilder(n).withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress("127.0.0.1").endAddress()
                .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(port).endKubeletEndpoint().endDaemonEndpoints()
                .endStatus().build());
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) agent.close().sync();
        if (loop != null) loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        if (client != null) client.close();
        if (api != null) api.close();
    }

    private static java.net.http.HttpRequest.Builder request(String path) {
        return java.net.http.HttpRequest.newBuilder(URI.create(api.url() + path))
                .header("Authorization", "Bearer " + TestApiServer.TOKEN).timeout(Duration.ofSeconds(60));
    }

    @Test
    void aBodyFarAboveTheRequestLimitIsStreamedToTheAgentInChunks() throws Exception {
        long size = 4L * ApiServer.MAX_BODY + 12345;
        HttpResponse<String> r = http.send(request("/api/v1/nodes/reachable/proxy/images/load?tag=a&tag=b")
                .header("Content-Type", "application/x-tar")
                .POST(BodyPublishers.ofInputStream(() -> new Zeros(size))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode seen = Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
        assertThat(seen.path("method").asText()).isEqualTo("POST");
        assertThat(seen.path("uri").asText()).isEqualTo("/images/load?tag=a&tag=b");
        assertThat(seen.path("bytes").asLong()).isEqualTo(size);
        assertThat(seen.path("contentType").asText()).isEqualTo("application/x-tar");
        assertThat(seen.path("authorization").asText()).as("the client's token stays with the API server").isEmpty();
    }

    @Test
    void aLongAnswerOfTheAgentIsStreamedBack() throws Exception {
        HttpResponse<InputStream> r = http.send(request("/api/v1/nodes/reachable/proxy/long?chunks=200").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Transfer-Encoding")).contains("chunked");
        try (InputStream in = r.body()) {
            assertThat(in.readAllBytes()).hasSize(200 * 64 * 1024);
        }
    }

    @Test
    void theAgentsErrorStatusReachesTheClient() throws Exception {
        HttpResponse<String> r = http.send(request("/api/v1/nodes/reachable/proxy/missing").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).isEqualTo("no /missing here");
    }

    @Test
    void aNodeWithoutAgentIsServiceUnavailableNamingTheNode() throws Exception {
        HttpResponse<String> r = http.send(request("/api/v1/nodes/simulated/proxy/images/load")
                .POST(BodyPublishers.ofString("tar")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(Json.parse(r.body().getBytes(StandardCharsets.UTF_8)).path("message").asText())
                .startsWith("node simulated: proxy needs a node agent");
    }

    @Test
    void anAgentThatDoesNotAnswerIsAnInternalErrorNamingNodeAndAddress() throws Exception {
        HttpResponse<String> r = http.send(request("/api/v1/nodes/unreachable/proxy/healthz").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(Json.parse(r.body().getBytes(StandardCharsets.UTF_8)).path("message").asText())
                .startsWith("error dialing backend: node unreachable").contains("127.0.0.1");
    }

    @Test
    void anUnknownNodeIsNotFound() throws Exception {
        HttpResponse<String> r = http.send(request("/api/v1/nodes/nowhere/proxy/healthz").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("nowhere");
    }

    /** {@code size} zero bytes, made as they are read. */
    private static final class Zeros extends InputStream {
        private long left;

        Zeros(long size) {
            left = size;
        }

        @Override
        public int read() {
            return left-- > 0 ? 0 : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            left -= n;
            return n;
        }
    }

    /** Counts a request's body and answers what it saw; {@code /long} streams chunks; anything else is 404. */
    private static final class CountingAgent extends ChannelInboundHandlerAdapter {
        private HttpRequest head;
        private long bytes;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest r) {
                    head = r;
                    bytes = 0;
                }
                if (msg instanceof HttpContent c) {
                    bytes += c.content().readableBytes();
                    if (c instanceof LastHttpContent) {
                        answer(ctx);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void answer(ChannelHandlerContext ctx) {
            String uri = head.uri();
            if (uri.startsWith("/images/load")) {
                byte[] body = Json.bytes(Map.of("method", head.method().name(), "uri", uri, "bytes", bytes,
                        "chunked", HttpUtil.isTransferEncodingChunked(head),
                        "contentType", head.headers().get("Content-Type", ""),
                        "authorization", head.headers().get("Authorization", "")));
                var r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
                r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json").setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            } else if (uri.startsWith("/long")) {
                var r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                ctx.write(r);
                for (int i = 0; i < 200; i++) {
                    ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[64 * 1024])));
                }
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
            } else {
                byte[] body = ("no " + uri + " here").getBytes(StandardCharsets.UTF_8);
                var r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND, Unpooled.wrappedBuffer(body));
                r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain").setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
