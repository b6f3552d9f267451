package dev.berth.icons;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed kind SVGs are what tools/make_kinds.py writes: nobody edited one by hand. */
class KindSourcesTest {

  @TempDir
  Path out;

  @Test
  void committedKindIconsMatchTheirGenerator() throws IOException, InterruptedException {
    Process python = new ProcessBuilder("python3", "tools/make_kinds.py", out.toString())
        .redirectErrorStream(true).start();
    String output = new String(python.getInputStream().readAllBytes());
    assertThat(python.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(python.exitValue()).as(output).isZero();

    List<Path> committed;
    try (Stream<Path> files = Files.list(Path.of("kinds"))) {
      committed = files.sorted().toList();
    }
    try (Stream<Path> files = Files.list(out)) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted())
          .containsExactlyElementsOf(committed.stream().map(p -> p.getFileName().toString()).toList());
    }
    for (Path file : committed) {
      assertThat(Files.readString(out.resolve(file.getFileName())))
          .as("%s differs from what make_kinds.py writes", file)
          .isEqualTo(Files.readString(file));
    }
  }
}
