package dev.berth.core.apiserver.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.api.Json;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads an audit log directory as {@link AuditLog} writes it: the last events across the
 * rotated files and the current one, and the events appended later (following rotation).
 */
public final class AuditReader {
    private final Path dir;

    public AuditReader(Path dir) {
        this.dir = dir;
    }

    /** The last {@code n} lines, oldest first, from the rotated files and the current one. */
    public List<String> last(int n) throws IOException {
        if (n < 0) {
            throw new IllegalArgumentException("lines: invalid value " + n + ": must not be negative");
        }
        Deque<String> lines = new ArrayDeque<>();
        List<Path> files = new ArrayList<>(Files.isDirectory(dir) ? AuditLog.backups(dir) : List.of());
        Path current = dir.resolve(AuditLog.FILE);
        if (Files.exists(current)) {
            files.add(current);
        }
        // newest file first, until n lines are found
        for (int i = files.size() - 1; i >= 0 && lines.size() < n; i--) {
            List<String> content = Files.readAllLines(files.get(i), StandardCharsets.UTF_8);
            for (int j = content.size() - 1; j >= 0 && lines.size() < n; j--) {
                if (!content.get(j).isBlank()) {
                    lines.addFirst(content.get(j));
                }
            }
        }
        return List.copyOf(lines);
    }

    /**
     * Follows the current file from its end, handing each new line to {@code sink}, until the
     * thread is interrupted. A rotation (the file replaced by a shorter one) starts over at the top
     * of the new file.
     */
    public void follow(Consumer<String> sink, java.time.Duration poll) throws IOException, InterruptedException {
        Path current = dir.resolve(AuditLog.FILE);
        long position = Files.exists(current) ? Files.size(current) : 0;
        StringBuilder partial = new StringBuilder();
        while (!Thread.currentThread().isInterrupted()) {
            long size = Files.exists(current) ? Files.size(current) : 0;
            if (size < position) {
                position = 0;   // rotated
                partial.setLength(0);
            }
            if (size > position) {
                try (RandomAccessFile f = new RandomAccessFile(current.toFile(), "r")) {
                    f.seek(position);
                    byte[] chunk = new byte[(int) Math.min(size - position, 1 << 20)];
                    f.readFully(chunk);
                    position += chunk.length;
                    partial.append(new String(chunk, StandardCharsets.UTF_8));
                }
                int nl;
                while ((nl = partial.indexOf("\n")) >= 0) {
                    sink.accept(partial.substring(0, nl));
                    partial.delete(0, nl + 1);
                }
            } else {
                Thread.sleep(poll.toMillis());
            }
        }
    }

    /**
     * One event as a line for people: {@code 2026-12-02T12:30:00.123456Z ann create pods default/web 201 Forbidden}.
     * A line that is not an event comes back as it is.
     */
    public static String describe(String line) {
        JsonNode e;
        try {
            e = Json.parse(line.getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException ex) {
            return line;
        }
        if (!"Event".equals(e.path("kind").asText())) {
            return line;
        }
        JsonNode ref = e.path("objectRef");
        StringBuilder object = new StringBuilder();
        if (!ref.isMissingNode()) {
            object.append(ref.path("resource").asText());
            if (ref.hasNonNull("subresource")) object.append('/').append(ref.get("subresource").asText());
            if (ref.hasNonNull("apiGroup")) object.append('.').append(ref.get("apiGroup").asText());
            object.append(' ');
            if (ref.hasNonNull("namespace")) object.append(ref.get("namespace").asText()).append('/');
            object.append(ref.path("name").asText(""));
        } else {
            object.append(e.path("requestURI").asText());
        }
        String user = e.path("user").path("username").asText("-");
        if (user.isEmpty()) user = "-";
        if (e.has("impersonatedUser")) {
            user += " (as " + e.path("impersonatedUser").path("username").asText() + ")";
        }
        JsonNode status = e.path("responseStatus");
        String result = status.path("code").asText("?") + (status.hasNonNull("reason") ? " " + status.get("reason").asText() : "");
        return String.join("  ", e.path("stageTimestamp").asText(), user, e.path("verb").asText(),
                object.toString().trim(), result);
    }
}
