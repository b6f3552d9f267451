package dev.berth.agent.network;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the host's network tools ({@code iptables-restore}, {@code ip}, ...) with arguments as a
 * list (never through a shell), optional input on stdin and a time limit. With a network
 * namespace path, commands run inside it through {@code nsenter --net=PATH}: that is how tests
 * keep every rule inside namespaces they made.
 */
public final class HostCommand {
    /** What a command printed and how it ended. */
    public record Result(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** A command that could not run or ended with a non-zero code; the message names it and its error output. */
    public static final class CommandFailedException extends RuntimeException {
        private final Result result;

        CommandFailedException(String message, Result result, Throwable cause) {
            super(message, cause);
            this.result = result;
        }

        /** What the command printed, or null when it did not start or timed out. */
        public Result result() {
            return result;
        }
    }

    private final String netns;
    private final Duration timeout;

    /**
     * @param netns   a network namespace path such as {@code /var/run/netns/NAME}, or null for the
     *                agent's own namespace
     * @param timeout how long one command may run before it is killed
     */
    public HostCommand(String netns, Duration timeout) {
        this.netns = netns;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** Commands in the agent's own network namespace, 30 s each at most. */
    public static HostCommand local() {
        return new HostCommand(null, Duration.ofSeconds(30));
    }

    /** The namespace commands run in, or null for the agent's own. */
    public String netns() {
        return netns;
    }

    /** Runs {@code argv} with {@code stdin} (may be null) and returns its result, whatever its exit code. */
    public Result run(List<String> argv, String stdin) {
        List<String> cmd = new ArrayList<>();
        if (netns != null) {
            cmd.add("nsenter");
            cmd.add("--net=" + netns);
            cmd.add("--");
        }
        cmd.addAll(argv);
        Process p;
        try {
            p = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            throw new CommandFailedException("cannot run " + String.join(" ", argv) + ": " + e.getMessage(), null, e);
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()), VIRTUAL);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()), VIRTUAL);
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the process ended before reading its input; its exit code and stderr say why
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new CommandFailedException(String.join(" ", argv) + " did not finish within " + timeout, null, null);
            }
            return new Result(p.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CommandFailedException("interrupted while running " + String.join(" ", argv), null, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new CommandFailedException("cannot read the output of " + String.join(" ", argv), null, e);
        }
    }

    /** Runs {@code argv} and returns its stdout; a non-zero exit code throws, naming the command and its stderr. */
    public String check(List<String> argv, String stdin) {
        Result r = run(argv, stdin);
        if (!r.ok()) {
            throw new CommandFailedException(String.join(" ", argv) + " failed with exit code " + r.exitCode() + ": "
                    + r.stderr().strip(), r, null);
        }
        return r.stdout();
    }

    /** Whether {@code program} can be run (found on the PATH and executable). */
    public static boolean available(String program) {
        String path = System.getenv("PATH");
        if (path == null) path = "/usr/sbin:/usr/bin:/sbin:/bin";
        for (String dir : path.split(":")) {
            if (java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, program))) return true;
        }
        return false;
    }

    private static final java.util.concurrent.Executor VIRTUAL = r -> Thread.ofVirtual().start(r);

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
