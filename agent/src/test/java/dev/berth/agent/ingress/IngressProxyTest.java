package dev.berth.agent.ingress;

import com.sun.net.httpserver.HttpServer;
import io.netty.handler.ssl.SslContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The proxy alone, with a router of the test's own and in-process endpoints on loopback. */
class IngressProxyTest {
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) c.close();
    }

    private IngressProxy proxy(IngressProxy.Router router, Duration responseTimeout) throws InterruptedException {
        SslContext fallback = new IngressCertificates(Clock.systemUTC()).map(null);
        IngressProxy proxy = new IngressProxy(IngressSettings.defaults().withAddress(InetAddress.ofLiteral("127.0.0.1"))
                .withPorts(0, 0).withResponseTimeout(responseTimeout), router, name -> fallback).start();
        closing.add(proxy);
        return proxy;
    }

    /** An endpoint answering with its name and the client port the proxy's connection came from. */
    private InetSocketAddress endpoint(String name, List<String> seen) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0), 50);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try (exchange) {
                seen.add(name + ":" + exchange.getRemoteAddress().getPort());
                byte[] body = name.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        server.start();
        closing.add(() -> server.stop(0));
        return server.getAddress();
    }

    @Test
    void balancesEachRequestOfAKeptAliveClientAndReusesItsConnectionsToEndpoints() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        List<InetSocketAddress> endpoints = List.of(endpoint("a", seen), endpoint("b", seen));
        AtomicInteger next = new AtomicInteger();
        IngressProxy proxy = proxy((host, path) -> new IngressProxy.Forward(
                endpoints.get(next.getAndIncrement() % 2), "test"), Duration.ofSeconds(30));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI uri = URI.create("http://127.0.0.1:" + proxy.httpAddress().getPort() + "/");

        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            bodies.add(client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body());
        }

        assertThat(bodies).containsExactly("a", "b", "a", "b", "a", "b");
        // one client connection: one connection per endpoint, reused by every later request to it
        assertThat(seen.stream().filter(s -> s.startsWith("a:")).distinct()).hasSize(1);
        assertThat(seen.stream().filter(s -> s.startsWith("b:")).distinct()).hasSize(1);
    }

    @Test
    void aKeptAliveClientGetsSeveralLargeResponsesInARowOverTheSameEndpointConnection() throws Exception {
        long size = 16L * 1024 * 1024;
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0), 50);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(200, size);   // with a Content-Length: the connection stays open
                byte[] chunk = new byte[64 * 1024];
                for (long left = size; left > 0; left -= chunk.length) exchange.getResponseBody().write(chunk);
            }
        });
        server.start();
        closing.add(() -> server.stop(0));
        IngressProxy proxy = proxy((host, path) -> new IngressProxy.Forward(server.getAddress(), "large"),
                Duration.ofSeconds(20));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI uri = URI.create("http://127.0.0.1:" + proxy.httpAddress().getPort() + "/large");

        // the client reads more slowly than the endpoint writes, so the proxy pauses reading the
        // endpoint; a response that ends while paused must not leave the kept connection deaf
        for (int i = 0; i < 5; i++) {
            HttpResponse<java.io.InputStream> r = client.send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            long n = 0;
            try (java.io.InputStream in = r.body()) {
                byte[] buf = new byte[4096];
                for (int k; (k = in.read(buf)) > 0; ) n += k;
            }
            assertThat(r.statusCode()).as("response %d", i).isEqualTo(200);
            assertThat(n).isEqualTo(size);
        }
    }

    @Test
    void answers504WhenTheEndpointDoesNotAnswerInTimeAndTheRoutersRefusalsAsTheyAre() throws Exception {
        ServerSocket silent = new ServerSocket(0, 50, InetAddress.ofLiteral("127.0.0.1"));
        closing.add(silent);
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try {
                while (true) accepted.add(silent.accept());   // holds connections, never answers
            } catch (IOException closed) {
                // the test is over
            }
        });
        closing.add(() -> accepted.forEach(s -> {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }));
        IngressProxy proxy = proxy((host, path) -> path.equals("/silent")
                ? new IngressProxy.Forward((InetSocketAddress) silent.getLocalSocketAddress(), "ingress default/web")
                : new IngressProxy.Refuse(404, "no ingress rule matches"), Duration.ofSeconds(1));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String base = "http://127.0.0.1:" + proxy.httpAddress().getPort();

        HttpResponse<String> timedOut = client.send(HttpRequest.newBuilder(URI.create(base + "/silent")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> unmatched = client.send(HttpRequest.newBuilder(URI.create(base + "/other")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(timedOut.statusCode()).isEqualTo(504);
        assertThat(timedOut.body()).startsWith("504 Gateway Timeout: no response from /127.0.0.1:")
                .endsWith("(ingress default/web) within 1s\n");
        assertThat(unmatched.statusCode()).isEqualTo(404);
        assertThat(unmatched.body()).isEqualTo("404 Not Found: no ingress rule matches\n");
        assertThat(unmatched.headers().firstValue("content-type")).contains("text/plain; charset=utf-8");
    }
}
