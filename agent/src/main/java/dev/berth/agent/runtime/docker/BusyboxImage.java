package dev.berth.agent.runtime.docker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A busybox image built on this machine from Debian's {@code busybox-static} (every applet linked
 * on /bin), imported into the local Docker engine with the {@code docker} command. Tests and
 * benchmarks run it, so nothing is ever pulled from a registry.
 */
public final class BusyboxImage {
    /** Where Debian's busybox-static puts its binary. */
    public static final Path BINARY = Path.of("/bin/busybox");

    private BusyboxImage() {
    }

    /** Whether {@code tag} is present in the local engine. */
    public static boolean present(String tag) throws IOException {
        return run(List.of("docker", "image", "inspect", tag)).exit == 0;
    }

    /**
     * Imports the image under {@code tag} unless present (a fixed tag, never {@code :latest});
     * returns the tag.
     *
     * @throws IllegalStateException naming what is missing: the busybox binary, or a Docker engine
     */
    public static String ensure(String tag) throws IOException {
        if (present(tag)) {
            return tag;
        }
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: install Debian's busybox-static to build " + tag);
        }
        Path root = Files.createTempDirectory("berth-busybox");
        Path tar = root.resolveSibling(root.getFileName() + ".tar");
        try {
            Path bin = Files.createDirectories(root.resolve("bin"));
            Files.createDirectories(root.resolve("tmp"));
            Files.createDirectories(root.resolve("etc"));
            Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n");
            Files.writeString(root.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
            Files.copy(BINARY, bin.resolve("busybox"));
            for (String applet : run(List.of(BINARY.toString(), "--list")).output.split("\n")) {
                applet = applet.strip();
                if (!applet.isEmpty() && !applet.equals("busybox")) {
                    Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
                }
            }
            Result t = run(List.of("tar", "-C", root.toString(), "-cf", tar.toString(), "."));
            if (t.exit != 0) {
                throw new IllegalStateException("tar failed: " + t.output);
            }
            Result imp = run(List.of("docker", "import", "--change", "ENV PATH=/bin", "--change", "CMD [\"sh\"]",
                    tar.toString(), tag));
            if (imp.exit != 0) {
                throw new IllegalStateException("docker import of " + tag + " failed: " + imp.output.strip());
            }
            return tag;
        } finally {
            Files.deleteIfExists(tar);
            try (Stream<Path> files = Files.walk(root)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: " + String.join(" ", cmd));
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        }
    }
}
