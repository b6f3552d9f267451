package dev.berth.app.portforward;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The list of port-forwards over a tunnel that echoes, upper-cased, what it is sent (no cluster). */
class PortForwardsTest {
    final List<ForwardTarget> opened = new CopyOnWriteArrayList<>();
    final PortForwards forwards = new PortForwards(this::echo);

    /** A tunnel whose far end upper-cases and sends back, until the client's side ends. */
    Closeable echo(ForwardTarget target, ReadableByteChannel in, WritableByteChannel out) throws IOException {
        if (target.name().equals("gone")) {
            throw new IOException("pod default/gone not found");
        }
        opened.add(target);
        Thread t = Thread.ofVirtual().start(() -> {
            ByteBuffer b = ByteBuffer.allocate(1024);
            try {
                while (in.read(b) >= 0) {
                    b.flip();
                    String s = StandardCharsets.UTF_8.decode(b).toString().toUpperCase(java.util.Locale.ROOT);
                    out.write(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
                    b.clear();
                }
            } catch (IOException ignored) {
                // closed
            } finally {
                try {
                    out.close();
                } catch (IOException ignored) {
                    // closed
                }
            }
        });
        return t::interrupt;
    }

    @AfterEach
    void stop() {
        forwards.close();
    }

    static String exchange(Socket s, String message) throws IOException {
        s.setSoTimeout(10_000);
        s.getOutputStream().write(message.getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        return new String(in.readNBytes(message.length()), StandardCharsets.UTF_8);
    }

    @Test
    void forwardsFromAFreeLoopbackPortAndCountsBytesAndConnections() throws Exception {
        PortForward f = forwards.start(new ForwardTarget("Pod", "default", "web", 8080), null);
        assertThat(f.localPort()).isPositive();
        assertThat(f.url().toString()).isEqualTo("http://127.0.0.1:" + f.localPort() + "/");
        assertThat(f.status()).isEqualTo(PortForward.Status.LISTENING);
        try (Socket a = new Socket(InetAddress.getByName("127.0.0.1"), f.localPort());
             Socket b = new Socket(InetAddress.getByName("127.0.0.1"), f.localPort())) {
            assertThat(exchange(a, "hello")).isEqualTo("HELLO");
            assertThat(exchange(b, "world!")).isEqualTo("WORLD!");
            await().atMost(Duration.ofSeconds(5)).until(() -> f.activeConnections() == 2);
            assertThat(f.totalConnections()).isEqualTo(2);
            assertThat(f.bytesSent()).isEqualTo(11);
            assertThat(f.bytesReceived()).isEqualTo(11);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> f.activeConnections() == 0);
        assertThat(f.totalConnections()).isEqualTo(2);
        assertThat(opened).hasSize(2).allMatch(t -> t.describe().equals("default/pod/web:8080"));
        assertThat(forwards.list()).containsExactly(f);
    }

    @Test
    void listensOnLoopbackOnly() throws Exception {
        PortForward f = forwards.start(new ForwardTarget("Service", "lab", "web", 80), null);
        try (ServerSocket probe = new ServerSocket()) {
            // the same port on another address is still free: nothing listens on the wildcard address
            probe.bind(new java.net.InetSocketAddress(InetAddress.getByName("127.0.0.2"), f.localPort()));
        }
        assertThat(f.target().describe()).isEqualTo("lab/svc/web:80");
    }

    @Test
    void aTakenLocalPortIsRefusedSayingWhatToDo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> forwards.start(new ForwardTarget("Pod", "default", "web", 80), taken.getLocalPort()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("local port " + taken.getLocalPort() + " on 127.0.0.1 cannot be used")
                    .hasMessageContaining("leave it empty for a free one");
        }
        assertThat(forwards.list()).isEmpty();
    }

    @Test
    void stoppingClosesTheListenerAndItsConnections() throws Exception {
        PortForward f = forwards.start(new ForwardTarget("Pod", "default", "web", 8080), null);
        int port = f.localPort();
        Socket open = new Socket(InetAddress.getByName("127.0.0.1"), port);
        assertThat(exchange(open, "x")).isEqualTo("X");
        forwards.stop(f);
        assertThat(f.status()).isEqualTo(PortForward.Status.STOPPED);
        await().atMost(Duration.ofSeconds(5)).until(() -> f.activeConnections() == 0);
        assertThat(open.getInputStream().read()).isEqualTo(-1);
        open.close();
        assertThatThrownBy(() -> new Socket(InetAddress.getByName("127.0.0.1"), port).close()).isInstanceOf(IOException.class);
        assertThat(forwards.list()).containsExactly(f);
        forwards.remove(f);
        assertThat(forwards.list()).isEmpty();
    }

    @Test
    void aTargetThatCannotBeReachedIsShownAsTheLastErrorAndTheConnectionClosed() throws Exception {
        PortForward f = forwards.start(new ForwardTarget("Pod", "default", "gone", 80), null);
        try (Socket s = new Socket(InetAddress.getByName("127.0.0.1"), f.localPort())) {
            s.setSoTimeout(10_000);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> f.lastError().equals("pod default/gone not found"));
        assertThat(f.status()).isEqualTo(PortForward.Status.LISTENING);
        assertThat(PortForwardsView.status(f)).isEqualTo("Forwarding (last error: pod default/gone not found)");
        assertThat(f.activeConnections()).isZero();
    }

    @Test
    void portsAreParsedWithTheFieldTheValueAndTheRule() {
        assertThat(PortForwards.parseLocalPort(" ")).isNull();
        assertThat(PortForwards.parseLocalPort("8080")).isEqualTo(8080);
        assertThatThrownBy(() -> PortForwards.parseLocalPort("0")).hasMessage(
                "local port: Invalid value: 0: must be between 1 and 65535, or empty for a free port");
        assertThatThrownBy(() -> PortForwards.parseLocalPort("http")).hasMessage(
                "local port: Invalid value: \"http\": must be a number between 1 and 65535, or empty for a free port");
        assertThat(PortForwards.parseRemotePort("8080 (http)")).isEqualTo(8080);
        assertThatThrownBy(() -> PortForwards.parseRemotePort("")).hasMessage("port: Required value: the port to forward to");
        assertThatThrownBy(() -> PortForwards.parseRemotePort("99999")).hasMessage("port: Invalid value: 99999: must be between 1 and 65535");
        assertThatThrownBy(() -> new ForwardTarget("Deployment", "d", "n", 80)).hasMessageContaining("kind: Unsupported value: \"Deployment\"");
        assertThat(PortForwardsView.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(PortForwardsView.bytes(12)).isEqualTo("12 B");
        assertThat(Browser.command("Linux", java.net.URI.create("http://127.0.0.1:1/"))).containsExactly("xdg-open", "http://127.0.0.1:1/");
        assertThat(Browser.command("Mac OS X", java.net.URI.create("http://127.0.0.1:1/")).getFirst()).isEqualTo("open");
    }
}
