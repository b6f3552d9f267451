package dev.berth.core.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code openssl s_client} as a TLS client that can still offer what the JDK no longer will
 * (TLS 1.1, CBC-only suites), to show that a server refuses them. Skips without openssl, fails
 * when CI=true.
 */
public final class OpenSslClient {
    private OpenSslClient() {}

    /** What the handshake printed, and whether it completed. */
    public record Handshake(boolean completed, String output) {}

    /** Connects to 127.0.0.1:{@code port} with the given s_client options and closes at once. */
    public static Handshake connect(int port, String... options) {
        Path binary = find();
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "s_client", "-connect", "127.0.0.1:" + port,
                "-servername", "localhost"));
        cmd.addAll(List.of(options));
        try {
            Path out = Files.createTempFile("openssl", ".txt");
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
                p.getOutputStream().close();   // nothing to send: s_client ends after the handshake
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("openssl s_client did not finish in 30 s");
                }
                String text = Files.readString(out, StandardCharsets.ISO_8859_1);
                boolean completed = text.contains("New, TLSv") && !text.contains("Cipher is (NONE)");
                return new Handshake(completed, text);
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run openssl", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Path find() {
        String path = System.getenv("PATH");
        Path found = path == null ? null : Stream.of(path.split(File.pathSeparator)).filter(e -> !e.isEmpty())
                .map(e -> Path.of(e, "openssl")).filter(Files::isExecutable).findFirst().orElse(null);
        if (found == null) {
            String reason = "openssl is not on PATH, so the TLS refusal was not tried";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(reason + " (required when CI=true)");
            }
            Assumptions.abort(reason);
        }
        return found;
    }
}
