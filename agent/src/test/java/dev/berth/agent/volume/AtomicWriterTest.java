package dev.berth.agent.volume;

import dev.berth.agent.volume.AtomicWriter.FileProjection;
import dev.berth.core.controller.runtime.FakeClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AtomicWriterTest {
    @TempDir
    Path dir;
    final FakeClock clock = new FakeClock(Instant.parse("2026-12-02T07:01:02Z"));

    private static FileProjection file(String content, int mode) {
        return new FileProjection(content.getBytes(StandardCharsets.UTF_8), mode);
    }

    private List<String> entries() throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesIntoATimestampedDirectoryBehindDataLinkWithUserVisibleLinks() throws IOException {
        AtomicWriter w = new AtomicWriter(dir, clock);

        assertThat(w.write(Map.of("a", file("A", 0644), "sub/b", file("B", 0600)))).isTrue();

        Path data = Files.readSymbolicLink(dir.resolve("..data"));
        assertThat(data.toString()).startsWith("..2026_12_02_07_01_02.");
        assertThat(entries()).containsExactly(data.toString(), "..data", "a", "sub");
        assertThat(Files.readSymbolicLink(dir.resolve("a"))).isEqualTo(Path.of("..data/a"));
        assertThat(Files.readSymbolicLink(dir.resolve("sub"))).isEqualTo(Path.of("..data/sub"));
        assertThat(dir.resolve("sub/b")).hasContent("B");
        assertThat(AtomicWriter.modeOf(dir.resolve("..data/sub/b").toRealPath())).isEqualTo(0600);
        assertThat(AtomicWriter.read(dir)).containsOnlyKeys("a", "sub/b");
    }

    @Test
    void unchangedContentIsNotRewrittenButAChangedModeIs() throws IOException {
        AtomicWriter w = new AtomicWriter(dir, clock);
        w.write(Map.of("a", file("A", 0644)));
        Path first = Files.readSymbolicLink(dir.resolve("..data"));

        clock.advance(Duration.ofSeconds(5));
        assertThat(w.write(Map.of("a", file("A", 0644)))).isFalse();
        assertThat(Files.readSymbolicLink(dir.resolve("..data"))).isEqualTo(first);

        assertThat(w.write(Map.of("a", file("A", 0600)))).isTrue();
        assertThat(Files.readSymbolicLink(dir.resolve("..data"))).isNotEqualTo(first);
        assertThat(AtomicWriter.modeOf(dir.resolve("a").toRealPath())).isEqualTo(0600);
    }

    @Test
    void readersSeeTheOldContentUntilTheSwapAndOnlyTheNewAfterIt() throws IOException {
        new AtomicWriter(dir, clock).write(Map.of("config", file("v1", 0644), "gone", file("g", 0644)));
        AtomicReference<String> seenBeforeSwap = new AtomicReference<>();
        List<String> entriesBeforeSwap = new ArrayList<>();
        AtomicWriter w = new AtomicWriter(dir, clock, () -> {
            try {
                seenBeforeSwap.set(Files.readString(dir.resolve("config")));
                entriesBeforeSwap.addAll(entries());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        clock.advance(Duration.ofMinutes(1));

        w.write(Map.of("config", file("v2", 0644), "added", file("n", 0644)));

        assertThat(seenBeforeSwap.get()).isEqualTo("v1");
        assertThat(entriesBeforeSwap).contains("gone").doesNotContain("added");
        assertThat(dir.resolve("config")).hasContent("v2");
        assertThat(dir.resolve("added")).hasContent("n");
        assertThat(Files.exists(dir.resolve("gone"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
        // one timestamped directory is left: the current one
        assertThat(entries().stream().filter(n -> n.startsWith("..2026"))).singleElement().asString().startsWith("..2026_12_02_07_02_02.");
    }

    @Test
    void leftoversOfAnInterruptedWriteAreCleanedUp() throws IOException {
        AtomicWriter w = new AtomicWriter(dir, clock);
        w.write(Map.of("a", file("A", 0644)));
        Files.createDirectory(dir.resolve("..2026_01_01_00_00_00.123"));
        Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of("..2026_01_01_00_00_00.123"));

        w.write(Map.of("a", file("B", 0644)));

        assertThat(entries()).hasSize(3).contains("..data", "a");
        assertThat(dir.resolve("a")).hasContent("B");
    }

    @Test
    void unsafePathsAreRejectedBeforeAnythingIsWritten() {
        AtomicWriter w = new AtomicWriter(dir, clock);
        assertThatThrownBy(() -> w.write(Map.of("../escape", file("x", 0644))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("path \"../escape\" is invalid: must not start with '..'");
        assertThatThrownBy(() -> w.write(Map.of("a/../../escape", file("x", 0644))))
                .hasMessage("path \"a/../../escape\" is invalid: must not contain '..'");
        assertThatThrownBy(() -> w.write(Map.of("/etc/passwd", file("x", 0644))))
                .hasMessage("path \"/etc/passwd\" is invalid: must be a relative path");
        assertThatThrownBy(() -> w.write(Map.of("..data", file("x", 0644))))
                .hasMessage("path \"..data\" is invalid: must not start with '..'");
        assertThat(dir).isEmptyDirectory();
    }
}
