package dev.berth.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * A single-member etcd on 127.0.0.1 with free ports and a data dir under {@code dir}, for the
 * etcd figures of {@link ApiBench}. The binary comes from {@code $ETCD_BIN}, the PATH or /usr/bin.
 */
final class EtcdProcess implements AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(60);

    private final Process process;
    private final String endpoint;

    private EtcdProcess(Process process, String endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    static Optional<Path> findBinary() {
        String explicit = System.getenv("ETCD_BIN");
        if (explicit != null && !explicit.isBlank()) return Optional.of(Path.of(explicit)).filter(Files::isExecutable);
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        return Stream.concat(Stream.of(path.split(java.io.File.pathSeparator)), Stream.of("/usr/bin", "/usr/local/bin"))
                .filter(d -> !d.isBlank())
                .map(d -> Path.of(d, "etcd"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    static EtcdProcess start(Path binary, Path dir) throws IOException, InterruptedException {
        int clientPort = freePort();
        int peerPort = freePort();
        String endpoint = "http://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        Path log = dir.resolve("etcd.log");
        Process process = new ProcessBuilder(binary.toString(),
                "--name", "berth-bench",
                "--data-dir", dir.resolve("etcd-data").toString(),
                "--listen-client-urls", endpoint,
                "--advertise-client-urls", endpoint,
                "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "berth-bench=" + peer,
                "--max-request-bytes", Integer.toString(8 * 1024 * 1024),
                "--log-level", "warn")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        EtcdProcess etcd = new EtcdProcess(process, endpoint);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("etcd exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(endpoint + "/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"health\":\"true\"")) return etcd;
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                etcd.close();
                throw new IOException("etcd at " + endpoint + " not healthy after " + STARTUP + "; see " + log);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    String endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
