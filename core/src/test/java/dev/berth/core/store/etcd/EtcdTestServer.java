package dev.berth.core.store.etcd;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real single-member etcd on 127.0.0.1 with free ports and a temporary data dir, for
 * integration tests. The binary comes from {@code $ETCD_BIN} or {@code etcd} on the PATH (Debian:
 * {@code apt-get install etcd-server}). Without one, {@link #startOrSkip()} skips the test with the
 * reason, except under {@code CI=true}, where a missing etcd is a failure.
 *
 * <pre>{@code
 * static EtcdTestServer etcd;
 * @BeforeAll static void startEtcd() { etcd = EtcdTestServer.startOrSkip(); }
 * @AfterAll static void stopEtcd() { etcd.close(); }
 * ... EtcdStore.connect(List.of(etcd.endpoint())) ...
 * }</pre>
 */
public final class EtcdTestServer implements AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(60);

    private final Path binary;
    private final Path dataDir;
    private final int clientPort;
    private final int peerPort;
    private Process process;

    private EtcdTestServer(Path binary) throws IOException {
        this.binary = binary;
        this.dataDir = Files.createTempDirectory("berth-test-etcd-");
        this.clientPort = freePort();
        this.peerPort = freePort();
    }

    /** Starts etcd, or skips the calling test (fails it under CI=true) when no binary is found. */
    public static EtcdTestServer startOrSkip() {
        Optional<Path> binary = findBinary();
        if (binary.isEmpty()) {
            String reason = "etcd binary not found (set ETCD_BIN or install etcd-server to put etcd on the PATH)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) Assertions.fail(reason + "; CI=true requires it");
            Assumptions.abort(reason);
        }
        try {
            EtcdTestServer server = new EtcdTestServer(binary.get());
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start etcd from " + binary.get(), e);
        }
    }

    public static Optional<Path> findBinary() {
        String explicit = System.getenv("ETCD_BIN");
        if (explicit != null && !explicit.isBlank()) return Optional.of(Path.of(explicit)).filter(Files::isExecutable);
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        return Stream.concat(Stream.of(path.split(java.io.File.pathSeparator)), Stream.of("/usr/bin", "/usr/local/bin"))
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, "etcd"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** The client URL, for example {@code http://127.0.0.1:40123}. */
    public String endpoint() { return "http://127.0.0.1:" + clientPort; }

    public List<String> endpoints() { return List.of(endpoint()); }

    /** Starts (or restarts after {@link #stop()}) the member on the same ports and data. */
    public synchronized void start() throws IOException {
        if (process != null && process.isAlive()) return;
        String peer = "http://127.0.0.1:" + peerPort;
        process = new ProcessBuilder(binary.toString(),
                "--name", "berth-test",
                "--data-dir", dataDir.resolve("data").toString(),
                "--listen-client-urls", endpoint(),
                "--advertise-client-urls", endpoint(),
                "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "berth-test=" + peer,
                "--max-request-bytes", Integer.toString(8 * 1024 * 1024),
                "--log-level", "warn")
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("etcd.log").toFile())
                .start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        await("etcd at " + endpoint() + " healthy (log: " + dataDir.resolve("etcd.log") + ")")
                .atMost(STARTUP)
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("etcd exited with " + process.exitValue() + "; see " + dataDir.resolve("etcd.log"));
                    }
                    HttpResponse<String> response = http.send(
                            HttpRequest.newBuilder(URI.create(endpoint() + "/health")).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    return response.statusCode() == 200 && response.body().contains("\"health\":\"true\"");
                });
    }

    /** Kills the member (SIGKILL), keeping its data; {@link #start()} brings it back. */
    public synchronized void stop() {
        if (process == null) return;
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            // a leftover temp dir is harmless
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
