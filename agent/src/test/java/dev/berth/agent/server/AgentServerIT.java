package dev.berth.agent.server;

import dev.berth.agent.podworker.RunningPods;
import dev.berth.agent.stream.PodStreams;
import dev.berth.core.pki.CertifiedKey;
import dev.berth.core.pki.ClusterCa;
import dev.berth.core.pki.KubeletClientCertificate;
import dev.berth.core.pki.Tls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The agent's HTTPS server on its own: who may connect, plain GETs, and the WebSocket stream
 * protocols as a Java client speaks them (tty with resize, v5's close of stdin, v4 port-forward).
 */
class AgentServerIT {
    @TempDir
    static Path dir;
    static ClusterCa ca;
    static AgentServer server;
    static int port;
    static CertifiedKey apiServerClient;
    static final dev.berth.agent.stream.ProcessRuntime runtime = new dev.berth.agent.stream.ProcessRuntime();
    static final List<int[]> resizes = runtime.resizes;
    static ServerSocket echo;

    @BeforeAll
    static void start() throws Exception {
        ca = ClusterCa.loadOrCreate(dir.resolve("pki"), Clock.systemUTC());
        CertifiedKey serving = ca.issueServing(java.util.Set.of("localhost"),
                java.util.Set.of(InetAddress.getByName("127.0.0.1")), Duration.ofDays(1));
        apiServerClient = KubeletClientCertificate.ensure(dir.resolve("pki"), ca, Clock.systemUTC());
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // gone
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        runtime.addPod(new RunningPods.RunningPod("uid", "default", "web", "s", "127.0.0.1", Map.of("app", "c-app")));
        RunningPods pods = runtime;
        server = new AgentServer(new InetSocketAddress("127.0.0.1", 0), serving.certificatePem(), serving.privateKeyPem(),
                ca.certificatePem(), Map.of("/healthz", (path, query) -> GetHandler.Response.text(200, "ok " + query.keySet())),
                new PodStreams(pods, runtime, Clock.systemUTC()));
        port = server.start().getPort();
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) server.close();
        if (echo != null) echo.close();
    }

    private static HttpResponse<String> get(SSLContext ssl, String path) throws Exception {
        try (HttpClient c = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build()) {
            return c.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void apiServerIdentityGetsThePlainHandlers() throws Exception {
        HttpResponse<String> r = get(Tls.clientSSLContext(ca.certificate(), apiServerClient), "/healthz?verbose");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ok [verbose]");
    }

    @Test
    void unknownPathIsNotFound() throws Exception {
        HttpResponse<String> r = get(Tls.clientSSLContext(ca.certificate(), apiServerClient), "/nothing/here");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("\"kind\":\"Status\"").contains("/nothing/here");
    }

    @Test
    void clientWithoutCertificateIsRefused() {
        assertThatThrownBy(() -> get(Tls.clientSSLContext(ca.certificate(), null), "/healthz"))
                .isInstanceOf(IOException.class);
    }

    @Test
    void clientCertificateOfAnotherCaIsRefused() {
        ClusterCa other = ClusterCa.loadOrCreate(dir.resolve("other-pki"), Clock.systemUTC());
        CertifiedKey forged = other.issueClient(KubeletClientCertificate.IDENTITY.user(),
                KubeletClientCertificate.IDENTITY.groups(), Duration.ofDays(1));
        assertThatThrownBy(() -> get(Tls.clientSSLContext(ca.certificate(), forged), "/healthz"))
                .isInstanceOf(IOException.class);
    }

    @Test
    void clusterCertificateOfAnotherIdentityIsForbidden() throws Exception {
        CertifiedKey node = ca.issueClient("system:node:node-1", List.of("system:nodes"), Duration.ofDays(1));
        HttpResponse<String> r = get(Tls.clientSSLContext(ca.certificate(), node), "/healthz");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("system:node:node-1").contains("berth:kube-apiserver-kubelet-client");
    }

    @Test
    void logsWithAMalformedParameterNameTheParameter() throws Exception {
        HttpResponse<String> r = get(Tls.clientSSLContext(ca.certificate(), apiServerClient),
                "/containerLogs/default/web/app?tailLines=abc");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("tailLines").contains("abc");
    }

    @Test
    void execWithoutUpgradeIsABadRequest() throws Exception {
        HttpResponse<String> r = get(Tls.clientSSLContext(ca.certificate(), apiServerClient),
                "/exec/default/web/app?command=true&output=1");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("Upgrade request required");
    }

    @Test
    void ttyExecOverWebSocketTakesResizesAndInput() throws Exception {
        try (Ws ws = Ws.open("/exec/default/web/app?" + command("sh", "-c", "read x; echo got:$x") + "&input=1&output=1&tty=1",
                "v5.channel.k8s.io")) {
            assertThat(ws.socket.getSubprotocol()).isEqualTo("v5.channel.k8s.io");
            ws.send(4, "{\"Width\":100,\"Height\":40}");
            await().atMost(Duration.ofSeconds(10)).until(() -> resizes.stream().anyMatch(s -> s[0] == 100 && s[1] == 40));
            ws.send(0, "hi\n");
            assertThat(ws.until(1)).contains("got:hi");
            assertThat(ws.until(3)).contains("\"status\":\"Success\"");
            ws.closed.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void v5CloseOfStdinEndsTheCommandsInput() throws Exception {
        try (Ws ws = Ws.open("/exec/default/web/app?" + command("sh", "-c", "cat; exit 4") + "&input=1&output=1&error=1",
                "v5.channel.k8s.io")) {
            ws.send(0, "to cat\n");
            assertThat(ws.until(1)).isEqualTo("to cat\n");
            ws.sendRaw(new byte[] {(byte) 255, 0});
            String status = ws.until(3);
            assertThat(status).contains("\"reason\":\"NonZeroExitCode\"")
                    .contains("{\"reason\":\"ExitCode\",\"message\":\"4\"}");
        }
    }

    @Test
    void portForwardOverWebSocketV4PrefixesEachChannelWithThePort() throws Exception {
        int p = echo.getLocalPort();
        try (Ws ws = Ws.open("/portForward/default/web?ports=" + p, "v4.channel.k8s.io")) {
            byte[] prefix = {(byte) (p & 0xff), (byte) (p >> 8)};
            assertThat(ws.next()).containsExactly(0, prefix[0], prefix[1]);
            assertThat(ws.next()).containsExactly(1, prefix[0], prefix[1]);
            ws.send(0, "echo me");
            StringBuilder got = new StringBuilder();
            while (got.length() < "echo me".length()) {
                byte[] m = ws.next();
                assertThat(m[0]).isEqualTo((byte) 0);
                got.append(new String(m, 1, m.length - 1, StandardCharsets.UTF_8));
            }
            assertThat(got.toString()).isEqualTo("echo me");
        }
    }

    private static String command(String... args) {
        StringBuilder sb = new StringBuilder();
        for (String a : args) {
            if (!sb.isEmpty()) sb.append('&');
            sb.append("command=").append(URLEncoder.encode(a, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return sb.toString();
    }

    /** A JDK WebSocket client presenting the API server's certificate; messages as (channel byte + data). */
    static final class Ws implements AutoCloseable, WebSocket.Listener {
        final LinkedBlockingQueue<byte[]> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();
        private HttpClient client;
        WebSocket socket;

        static Ws open(String path, String protocol) throws Exception {
            Ws ws = new Ws();
            ws.client = HttpClient.newBuilder().sslContext(Tls.clientSSLContext(ca.certificate(), apiServerClient)).build();
            ws.socket = ws.client.newWebSocketBuilder().subprotocols(protocol)
                    .buildAsync(URI.create("wss://127.0.0.1:" + port + path), ws).get(20, TimeUnit.SECONDS);
            return ws;
        }

        void send(int channel, String data) {
            byte[] d = data.getBytes(StandardCharsets.UTF_8);
            byte[] m = new byte[d.length + 1];
            m[0] = (byte) channel;
            System.arraycopy(d, 0, m, 1, d.length);
            sendRaw(m);
        }

        void sendRaw(byte[] m) {
            socket.sendBinary(ByteBuffer.wrap(m), true).join();
        }

        byte[] next() throws InterruptedException {
            byte[] m = messages.poll(20, TimeUnit.SECONDS);
            assertThat(m).as("a message within 20 s").isNotNull();
            return m;
        }

        /** The data of the next message on this channel (skipping empty ones and other channels). */
        String until(int channel) throws InterruptedException {
            while (true) {
                byte[] m = next();
                if (m.length > 1 && m[0] == channel) {
                    return new String(m, 1, m.length - 1, StandardCharsets.UTF_8);
                }
            }
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            partial.writeBytes(b);
            if (last) {
                messages.add(partial.toByteArray());
                partial.reset();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }

        @Override
        public void close() {
            socket.abort();
            client.close();
        }
    }


}
