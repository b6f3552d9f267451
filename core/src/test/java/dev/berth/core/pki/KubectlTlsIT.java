package dev.berth.core.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real kubectl and the fabric8 client against a minimal Netty HTTPS server using {@link Tls} and the files
 * {@link ServerPki} writes: the server certificate verifies, the admin token or a client
 * certificate arrives, and authentication can map it to an identity.
 */
class KubectlTlsIT {
    @TempDir Path dataDir;
    EventLoopGroup group;
    Channel serverChannel;
    final Queue<String> seen = new ConcurrentLinkedQueue<>();
    ServerPki pki;
    int port;

    @BeforeEach
    void startServer() throws Exception {
        pki = ServerPki.prepare(dataDir, "127.0.0.1", 6443, Clock.systemUTC());
        SslContext tls = Tls.serverContext(pki.servingCertificate().certifiedKey(), pki.ca(), ClientAuth.OPTIONAL);
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        serverChannel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(tls.newHandler(channel.alloc()), new HttpServerCodec(),
                                new HttpObjectAggregator(1 << 16), new VersionHandler());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    @AfterEach
    void stopServer() throws Exception {
        if (serverChannel != null) serverChannel.close().sync();
        if (group != null) group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void kubectlVerifiesTheServingCertificateAndSendsTheAdminToken() throws Exception {
        Kubeconfig admin = Kubeconfig.read(pki.adminKubeconfig());
        Path kubeconfig = dataDir.resolve("port.kubeconfig");
        new Kubeconfig(admin.clusterName(), "https://127.0.0.1:" + port, admin.certificateAuthorities(),
                admin.userName(), admin.credentials()).write(kubeconfig);

        String output = kubectl(kubeconfig, "version", "-o", "json");

        assertThat(output).contains("v1.32.0+berth.test");
        assertThat(seen).contains("identity admin [system:masters] by token");
    }

    @Test
    void kubectlAuthenticatesWithAClientCertificate() throws Exception {
        CertifiedKey alice = pki.ca().issueClient("alice", List.of("devs"), Duration.ofHours(1));
        Path kubeconfig = dataDir.resolve("alice.kubeconfig");
        Kubeconfig.withClientCertificate("berth", "https://localhost:" + port, pki.ca().certificate(), "alice", alice)
                .write(kubeconfig);

        kubectl(kubeconfig, "version", "-o", "json");

        assertThat(seen).contains("identity alice [devs] by certificate");
    }

    @Test
    void fabric8ReadsTheAdminKubeconfigAndSendsTheToken() throws Exception {
        Kubeconfig admin = Kubeconfig.read(pki.adminKubeconfig());
        String yaml = new Kubeconfig(admin.clusterName(), "https://127.0.0.1:" + port, admin.certificateAuthorities(),
                admin.userName(), admin.credentials()).toYaml();

        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(yaml)).build()) {
            assertThat(client.getKubernetesVersion().getGitVersion()).isEqualTo("v1.32.0+berth.test");
        }
        assertThat(seen).contains("identity admin [system:masters] by token");
    }

    @Test
    void fabric8AuthenticatesWithAClientCertificateFromAKubeconfig() throws Exception {
        CertifiedKey node = pki.ca().issueClient("system:node:lab1", List.of("system:nodes"), Duration.ofHours(1));
        String yaml = Kubeconfig.withClientCertificate("berth", "https://localhost:" + port, pki.ca().certificate(),
                "lab1", node).toYaml();

        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(yaml)).build()) {
            assertThat(client.getKubernetesVersion().getGitVersion()).isEqualTo("v1.32.0+berth.test");
        }
        assertThat(seen).contains("identity system:node:lab1 [system:nodes] by certificate");
    }

    /** Answers {@code /version} and records how the request authenticated. */
    private final class VersionHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception {
            String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
            if (authorization != null && authorization.startsWith("Bearer ")) {
                pki.tokens().authenticate(authorization.substring(7)).ifPresent(identity ->
                        seen.add("identity " + identity.user() + " " + identity.groups() + " by token"));
            }
            try {
                X509Certificate[] chain = (X509Certificate[])
                        ctx.pipeline().get(SslHandler.class).engine().getSession().getPeerCertificates();
                Identity identity = pki.ca().verifyClientChain(chain);
                seen.add("identity " + identity.user() + " " + identity.groups() + " by certificate");
            } catch (SSLPeerUnverifiedException noClientCertificate) {
                // token or anonymous
            }
            byte[] body = """
                    {"major":"1","minor":"32","gitVersion":"v1.32.0+berth.test","gitCommit":"","gitTreeState":"clean",
                     "buildDate":"2026-01-01T00:00:00Z","goVersion":"","compiler":"","platform":"linux/amd64"}
                    """.getBytes(StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            ctx.writeAndFlush(response);
        }
    }

    private String kubectl(Path kubeconfig, String... args) throws Exception {
        Path kubectl = PkiTesting.kubectl();
        List<String> command = new java.util.ArrayList<>(List.of(kubectl.toString(), "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", dataDir.resolve("kubectl-cache").toString(), "--request-timeout", "20s"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("KUBECONFIG");
        Path stderrFile = dataDir.resolve("kubectl.stderr");
        builder.redirectError(stderrFile.toFile());
        Process process = builder.start();
        process.getOutputStream().close();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("kubectl did not finish in 60 s");
        }
        assertThat(process.exitValue()).as("kubectl exit status; stderr: %s", Files.readString(stderrFile)).isZero();
        return stdout;
    }
}
