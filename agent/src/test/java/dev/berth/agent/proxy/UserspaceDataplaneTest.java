package dev.berth.agent.proxy;

import dev.berth.agent.proxy.ProxyTable.Endpoint;
import dev.berth.agent.proxy.ProxyTable.Protocol;
import dev.berth.agent.proxy.ProxyTable.ServicePort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The userspace relay on loopback: loopback addresses are local already, so no interface is
 * made ({@link ServiceAddresses#NONE}); endpoints are small servers in this JVM that greet with
 * their name and then echo.
 */
class UserspaceDataplaneTest {
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final UserspaceDataplane dataplane = new UserspaceDataplane(ServiceAddresses.NONE, Clock.systemUTC(),
            (port, message) -> warnings.add(message));

    @AfterEach
    void close() throws Exception {
        dataplane.close();
        for (AutoCloseable c : closing) c.close();
        threads.shutdownNow();
    }

    private Endpoint greeter(String name) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        closing.add(server);
        threads.submit(() -> {
            while (!server.isClosed()) {
                Socket s = server.accept();
                closing.add(s);
                threads.submit(() -> {
                    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                        out.write((name + "\n").getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        in.transferTo(out);
                    }
                    return null;
                });
            }
            return null;
        });
        return new Endpoint("127.0.0.1", server.getLocalPort());
    }

    private Endpoint udpGreeter(String name) throws IOException {
        DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        closing.add(socket);
        threads.submit(() -> {
            byte[] buf = new byte[1500];
            while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                byte[] reply = (name + ":" + new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8);
                socket.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
            }
            return null;
        });
        return new Endpoint("127.0.0.1", socket.getLocalPort());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static ServicePort service(String name, Protocol protocol, int port, int nodePort, int affinity,
                                       List<Endpoint> endpoints) {
        return new ServicePort("default", name, "", protocol, "127.0.0.1", port, nodePort, List.of(), affinity, endpoints,
                false);
    }

    private void program(ServicePort... ports) {
        dataplane.program(new ProxyTable(List.of(ports), List.of()), false);
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    private static String greeting(Socket s) throws IOException {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    private static String greetingOf(int port) throws IOException {
        try (Socket s = connect(port)) {
            return greeting(s);
        }
    }

    @Test
    void connectionsToTheClusterIpAreSpreadOverTheEndpoints() throws Exception {
        int port = freePort();
        program(service("web", Protocol.TCP, port, 0, 0, List.of(greeter("a"), greeter("b"), greeter("c"))));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 6; i++) seen.add(greetingOf(port));
        assertThat(seen).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void clientIpAffinityKeepsAClientOnOneEndpoint() throws Exception {
        int port = freePort();
        program(service("web", Protocol.TCP, port, 0, 600, List.of(greeter("a"), greeter("b"), greeter("c"))));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 6; i++) seen.add(greetingOf(port));
        assertThat(seen).hasSize(1);
    }

    @Test
    void aServicePortWithoutEndpointsResetsConnections() throws Exception {
        int port = freePort();
        program(service("empty", Protocol.TCP, port, 0, 0, List.of()));
        try (Socket s = connect(port)) {
            assertThatThrownBy(() -> {
                int b = s.getInputStream().read();
                if (b == -1) throw new SocketException("closed without a reset");
            }).isInstanceOf(SocketException.class).hasMessageContaining("reset");
        }
    }

    @Test
    void endpointChangesApplyToNewConnectionsAndEstablishedOnesGoOn() throws Exception {
        int port = freePort();
        Endpoint a = greeter("a");
        Endpoint b = greeter("b");
        program(service("web", Protocol.TCP, port, 0, 0, List.of(a)));
        try (Socket established = connect(port)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(established.getInputStream(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("a");
            program(service("web", Protocol.TCP, port, 0, 0, List.of(b)));
            for (int i = 0; i < 3; i++) assertThat(greetingOf(port)).isEqualTo("b");
            established.getOutputStream().write("still here\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("still here");
        }
        program();
        assertThat(dataplane.binds()).isEmpty();
        // the listener is gone: the port is free to bind again (its channel closes asynchronously)
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
            try (ServerSocket again = new ServerSocket()) {
                again.bind(new InetSocketAddress("127.0.0.1", port));
                assertThat(again.getLocalPort()).isEqualTo(port);
            }
        });
    }

    @Test
    void aNodePortLeadsToTheSameEndpoints() throws Exception {
        int nodePort = freePort();
        program(service("web", Protocol.TCP, freePort(), nodePort, 0, List.of(greeter("a"))));
        assertThat(dataplane.binds()).contains(new UserspaceDataplane.Bind("0.0.0.0", nodePort, Protocol.TCP));
        assertThat(greetingOf(nodePort)).isEqualTo("a");
    }

    @Test
    void aLargeStreamIsRelayedWholeBothWays() throws Exception {
        int port = freePort();
        program(service("web", Protocol.TCP, port, 0, 0, List.of(greeter("a"))));
        byte[] chunk = new byte[64 * 1024];
        for (int i = 0; i < chunk.length; i++) chunk[i] = (byte) (i * 31);
        int chunks = 256; // 16 MiB out, echoed back while still sending: both directions fill up
        try (Socket s = connect(port)) {
            InputStream in = s.getInputStream();
            StringBuilder greeting = new StringBuilder();
            for (int c; (c = in.read()) != '\n'; ) greeting.append((char) c);
            assertThat(greeting.toString()).isEqualTo("a");
            Future<Long> sent = threads.submit(() -> {
                OutputStream out = s.getOutputStream();
                for (int i = 0; i < chunks; i++) out.write(chunk);
                s.shutdownOutput();
                return (long) chunks * chunk.length;
            });
            long received = 0;
            byte[] buf = new byte[64 * 1024];
            long mismatches = 0;
            for (int n; (n = in.read(buf)) != -1; ) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] != chunk[(int) ((received + i) % chunk.length)]) mismatches++;
                }
                received += n;
            }
            assertThat(sent.get(30, TimeUnit.SECONDS)).isEqualTo(received);
            assertThat(mismatches).isZero();
        }
    }

    @Test
    void udpDatagramsReachAnEndpointAndRepliesComeBackFromTheServiceAddress() throws Exception {
        int port = freePort();
        program(service("dns", Protocol.UDP, port, 0, 0, List.of(udpGreeter("u"))));
        try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            client.setSoTimeout(2000);
            byte[] q = "ping".getBytes(StandardCharsets.UTF_8);
            DatagramPacket reply = new DatagramPacket(new byte[100], 100);
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
                client.send(new DatagramPacket(q, q.length, InetAddress.getLoopbackAddress(), port));
                client.receive(reply);
                assertThat(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8)).isEqualTo("u:ping");
            });
            assertThat(reply.getPort()).isEqualTo(port);
        }
    }

    @Test
    void sctpPortsAreReportedOnceAndSkipped() throws Exception {
        int port = freePort();
        ServicePort sctp = service("sig", Protocol.SCTP, port, 0, 0, List.of(new Endpoint("127.0.0.1", 9)));
        ServicePort tcp = service("web", Protocol.TCP, freePort(), 0, 0, List.of(greeter("a")));
        program(sctp, tcp);
        program(sctp, tcp);
        assertThat(warnings).hasSize(1);
        assertThat(warnings.getFirst()).contains("default/sig").contains("SCTP").contains("userspace");
        assertThat(dataplane.binds()).extracting(UserspaceDataplane.Bind::protocol).containsOnly(Protocol.TCP);
    }
}
