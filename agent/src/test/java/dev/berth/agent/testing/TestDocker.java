package dev.berth.agent.testing;

import dev.berth.agent.runtime.docker.BusyboxImage;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The real Docker engine for tests: skips a test (with the reason) when none runs, except under
 * {@code CI=true}, where that is a failure. Test images are built here from Debian's
 * busybox-static (never pulled), and every container and network a test makes is named with a
 * per-run prefix ({@link #runPrefix()}) that {@code .ci/run} and {@link #removeAll} clean up.
 */
public final class TestDocker {
    /** A busybox image with every applet on PATH (/bin), built locally; a fixed tag, never pulled. */
    public static final String BUSYBOX = "berth-test/busybox:1";
    /** Prefix of everything tests make; {@code .ci/run} removes leftovers with it. */
    public static final String PREFIX = "berth-test-";
    private static final Path BUSYBOX_BINARY = BusyboxImage.BINARY;

    private static volatile boolean imageReady;

    private TestDocker() {
    }

    /** Skips (or, under CI=true, fails) unless a Docker engine answers. */
    public static void require() {
        String reason = null;
        try {
            Result r = docker("version", "--format", "{{.Server.Version}}");
            if (r.exit != 0) {
                reason = "no Docker engine answers (docker version: " + r.output.strip() + ")";
            }
        } catch (IOException e) {
            reason = "the docker command is missing (" + e.getMessage() + ")";
        }
        if (reason != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(reason + " (required when CI=true)");
            }
            Assumptions.abort(reason + ", so this test did not run against a real Docker engine");
        }
    }

    /** A fresh prefix for one test class's containers and networks: {@code berth-test-<hex>-}. */
    public static String runPrefix() {
        byte[] b = new byte[3];
        ThreadLocalRandom.current().nextBytes(b);
        return PREFIX + HexFormat.of().formatHex(b) + "-";
    }

    /** Builds {@link #BUSYBOX} from /bin/busybox (Debian's busybox-static) unless present; returns its tag. */
    public static synchronized String busybox() {
        require();
        if (imageReady) {
            return BUSYBOX;
        }
        try {
            if (!BusyboxImage.present(BUSYBOX) && !Files.isExecutable(BUSYBOX_BINARY)) {
                String reason = BUSYBOX_BINARY + " is missing (Debian package busybox-static)";
                if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                    throw new AssertionError(reason + " (required when CI=true)");
                }
                Assumptions.abort(reason);
            }
            BusyboxImage.ensure(BUSYBOX);
            imageReady = true;
            return BUSYBOX;
        } catch (IOException e) {
            throw new IllegalStateException("could not build " + BUSYBOX, e);
        }
    }

    /** Removes every container and network whose name starts with {@code prefix}. */
    public static void removeAll(String prefix) {
        try {
            Result ids = docker("ps", "-aq", "--filter", "name=^/?" + prefix);
            for (String id : ids.output.split("\\s+")) {
                if (!id.isBlank()) {
                    docker("rm", "-f", "-v", id.strip());
                }
            }
            Result nets = docker("network", "ls", "-q", "--filter", "name=" + prefix);
            for (String id : nets.output.split("\\s+")) {
                if (!id.isBlank()) {
                    docker("network", "rm", id.strip());
                }
            }
        } catch (IOException e) {
            // no docker, nothing to remove
        }
    }

    public record Result(int exit, String output) {
    }

    public static Result docker(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("docker");
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    private static Result run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: " + String.join(" ", cmd));
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
