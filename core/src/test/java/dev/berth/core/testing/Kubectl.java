package dev.berth.core.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the real kubectl against a kubeconfig, with its own HOME so discovery caches never leak
 * between tests. Missing kubectl: the test is skipped with the reason, or fails under CI=true.
 */
public final class Kubectl {
    private final Path binary;
    private final Path kubeconfig;
    private final Path home;

    public record Result(int exit, String out, String err) {
        public Result ok() {
            if (exit != 0) {
                throw new AssertionError("kubectl failed (" + exit + "): " + err + out);
            }
            return this;
        }
    }

    public Kubectl(Path kubeconfig, Path home) {
        this.binary = find();
        this.kubeconfig = kubeconfig;
        this.home = home;
    }

    public static Path find() {
        String path = System.getenv("PATH");
        Path found = path == null ? null : Stream.of(path.split(File.pathSeparator)).filter(e -> !e.isEmpty())
                .map(e -> Path.of(e, "kubectl")).filter(Files::isExecutable).findFirst().orElse(null);
        if (found == null) {
            String reason = "kubectl is not on PATH, so the real kubectl did not run this";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(reason + " (required when CI=true)");
            }
            Assumptions.abort(reason);
        }
        return found;
    }

    public Result run(String... args) {
        return run(null, Map.of(), args);
    }

    public Result run(String stdin, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.add("--kubeconfig=" + kubeconfig);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("HOME", home.toString());
        pb.environment().remove("KUBECONFIG");
        pb.environment().putAll(env);
        try {
            Path out = Files.createTempFile(home, "out", ".txt");
            Path err = Files.createTempFile(home, "err", ".txt");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 120 s");
            }
            Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return r;
        } catch (IOException e) {
            throw new AssertionError("cannot run kubectl", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Starts kubectl and returns the process (for -w); stdout is in {@code out}. */
    public Process start(Path out, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.add("--kubeconfig=" + kubeconfig);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectErrorStream(false);
        pb.environment().put("HOME", home.toString());
        return pb.start();
    }
}
