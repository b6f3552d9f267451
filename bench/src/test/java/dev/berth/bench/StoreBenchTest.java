package dev.berth.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreBenchTest {
    @TempDir
    Path dir;

    @Test
    void smokeRunPrintsOneJsonObjectPerMeasurement() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        StoreBench.Options options = StoreBench.Options.parse(new String[] {
                "--smoke", "--dir", dir.toString(), "--seconds", "0.2", "--list-keys", "100", "--reopen-keys", "200"});

        StoreBench.run(options, new PrintStream(buffer, true, StandardCharsets.UTF_8));

        List<String> lines = buffer.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(5).allSatisfy(line -> assertThat(line).startsWith("{\"bench\":\"store\"").endsWith("}"));
        assertThat(lines.get(0)).contains("\"metric\":\"fsync_baseline\"");
        assertThat(lines.get(1)).contains("\"writers\":1,");
        assertThat(lines.get(2)).contains("\"writers\":16,", "\"ratio_to_fsync\":");
        assertThat(lines.get(3)).contains("\"metric\":\"sqlite_list\"", "\"keys\":100,");
        assertThat(lines.get(4)).contains("\"metric\":\"sqlite_reopen\"", "\"keys\":200,");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void unknownOptionsAreRejectedWithTheKnownOnes() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StoreBench.Options.parse(new String[] {"--bogus", "1"}))
                .hasMessageContaining("unknown option --bogus")
                .hasMessageContaining("--seconds");
    }
}
