package dev.berth.agent.runtime.docker;

import dev.berth.agent.runtime.ContainerRuntimeException;
import dev.berth.agent.runtime.RegistryAuth;
import dev.berth.agent.testing.TestDocker;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Pulls through the engine from Debian's {@code docker-registry} started on 127.0.0.1: first
 * without authentication to push the test image into it, then again over the same storage with
 * htpasswd authentication to pull it with and without credentials.
 */
class DockerRuntimePullIT {
    private static final Path REGISTRY = Path.of("/usr/bin/docker-registry");
    private static String prefix;
    private static Path storage;
    private static Process registry;
    private static int port;
    private static DockerRuntime runtime;
    private static String image;

    @BeforeAll
    static void start() throws Exception {
        TestDocker.require();
        if (!Files.isExecutable(REGISTRY)) {
            String reason = REGISTRY + " is missing (Debian package docker-registry)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(reason + " (required when CI=true)");
            }
            Assumptions.abort(reason);
        }
        String busybox = TestDocker.busybox();
        prefix = TestDocker.runPrefix();
        storage = Files.createTempDirectory(prefix + "registry");
        port = freePort();
        image = "127.0.0.1:" + port + "/" + prefix + "busybox:1";
        runtime = new DockerRuntime(DockerRuntime.DEFAULT_HOST, prefix, "node-pull");

        registry = startRegistry(null);
        assertThat(TestDocker.docker("tag", busybox, image).exit()).isZero();
        TestDocker.Result push = TestDocker.docker("push", image);
        assertThat(push.exit()).as(push.output()).isZero();
        TestDocker.docker("rmi", image);
        stopRegistry();

        Path htpasswd = storage.resolveSibling(storage.getFileName() + ".htpasswd");
        byte[] salt = new byte[16];
        ThreadLocalRandom.current().nextBytes(salt);
        Files.writeString(htpasswd, "puller:" + OpenBSDBCrypt.generate("s3cret".toCharArray(), salt, 6) + "\n");
        registry = startRegistry(htpasswd);
    }

    @AfterAll
    static void stop() throws IOException {
        stopRegistry();
        if (image != null) {
            TestDocker.docker("rmi", image);
        }
        if (runtime != null) {
            runtime.close();
        }
        if (storage != null) {
            try (var files = Files.walk(storage.getParent(), 1)) {
                for (Path p : files.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                    new ProcessBuilder("rm", "-rf", p.toString()).start().waitFor(30, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Process startRegistry(Path htpasswd) throws IOException {
        Path config = storage.resolveSibling(storage.getFileName() + (htpasswd == null ? ".open.yml" : ".auth.yml"));
        String yaml = "version: 0.1\n"
                + "log:\n  level: error\n"
                + "storage:\n  filesystem:\n    rootdirectory: " + storage + "\n"
                + "http:\n  addr: 127.0.0.1:" + port + "\n"
                + (htpasswd == null ? "" : "auth:\n  htpasswd:\n    realm: berth-test\n    path: " + htpasswd + "\n");
        Files.writeString(config, yaml);
        Process p = new ProcessBuilder(REGISTRY.toString(), "serve", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(storage.resolveSibling(storage.getFileName() + ".log").toFile())
                .start();
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ping = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/")).build();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            assertThat(p.isAlive()).as("registry still running").isTrue();
            int code = http.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode();
            return code == 200 || code == 401;
        });
        return p;
    }

    private static void stopRegistry() {
        if (registry != null) {
            registry.destroy();
            try {
                if (!registry.waitFor(10, TimeUnit.SECONDS)) {
                    registry.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            registry = null;
        }
    }

    @Test
    void pullsWithCredentialsAndReportsErrImagePullWithout() {
        assertThat(runtime.imageId(image)).isEmpty();

        assertThatThrownBy(() -> runtime.pullImage(image, Optional.empty()))
                .isInstanceOf(ContainerRuntimeException.class)
                .hasMessageContaining(image)
                .hasMessageContaining("no basic auth credentials")
                .extracting(e -> ((ContainerRuntimeException) e).reason()).isEqualTo("ErrImagePull");
        assertThatThrownBy(() -> runtime.pullImage(image,
                Optional.of(new RegistryAuth("127.0.0.1:" + port, "puller", "wrong"))))
                .isInstanceOf(ContainerRuntimeException.class)
                .extracting(e -> ((ContainerRuntimeException) e).reason()).isEqualTo("ErrImagePull");

        runtime.pullImage(image, Optional.of(new RegistryAuth("127.0.0.1:" + port, "puller", "s3cret")));
        assertThat(runtime.imageId(image)).isEqualTo(runtime.imageId(TestDocker.BUSYBOX));
    }

    @Test
    void aMissingTagIsErrImagePullNamingIt() {
        String missing = "127.0.0.1:" + port + "/" + prefix + "busybox:nope";
        assertThatThrownBy(() -> runtime.pullImage(missing,
                Optional.of(new RegistryAuth("127.0.0.1:" + port, "puller", "s3cret"))))
                .isInstanceOf(ContainerRuntimeException.class)
                .hasMessageContaining(missing)
                .extracting(e -> ((ContainerRuntimeException) e).reason()).isEqualTo("ErrImagePull");
    }
}
