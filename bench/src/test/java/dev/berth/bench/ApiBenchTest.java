package dev.berth.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiBenchTest {
    @TempDir
    Path dir;

    @Test
    void smokeRunPrintsOneWellFormedJsonObjectPerFigure() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        ApiBench.Options options = ApiBench.Options.parse(new String[] {"--smoke", "--dir", dir.toString(),
                "--store", "sqlite", "--seconds", "0.5", "--gets", "100", "--pods", "50", "--watchers", "3",
                "--watch-rate", "50", "--watch-seconds", "0.5", "--restart-objects", "50"});

        ApiBench.run(options, new PrintStream(buffer, true, StandardCharsets.UTF_8));

        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : buffer.toString(StandardCharsets.UTF_8).lines().toList()) lines.add(mapper.readTree(line));
        assertThat(lines).extracting(l -> l.path("metric").asText())
                .containsExactly("fsync_baseline", "creates", "get", "list", "watch", "restart");
        assertThat(lines).allSatisfy(l -> assertThat(l.path("bench").asText()).isEqualTo("api"));
        assertThat(lines.get(1).path("creates_per_s").asDouble()).isPositive();
        assertThat(lines.get(1).has("ratio_to_echo")).isTrue();
        assertThat(lines.get(3).path("items").asInt()).isEqualTo(50);
        assertThat(lines.get(4).path("delivered").asLong()).isEqualTo(lines.get(4).path("expected").asLong());
        assertThat(lines.get(5).path("items").asInt()).isEqualTo(50);
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void unknownOptionsAreRejectedWithTheKnownOnes() {
        assertThatThrownBy(() -> ApiBench.Options.parse(new String[] {"--bogus", "1"}))
                .hasMessageContaining("unknown option --bogus")
                .hasMessageContaining("--watchers");
        assertThatThrownBy(() -> ApiBench.Options.parse(new String[] {"--store", "mysql"}))
                .hasMessageContaining("must be sqlite, etcd or both");
        assertThatThrownBy(() -> ApiBench.Options.parse(new String[] {"--figures", "restart,lists"}))
                .hasMessageContaining("--figures: invalid value \"lists\"")
                .hasMessageContaining("creates, get, list, watch, restart");
    }

    @Test
    void figuresSelectWhatRuns() {
        ApiBench.Options all = ApiBench.Options.parse(new String[] {});
        assertThat(ApiBench.FIGURES).allSatisfy(f -> assertThat(all.runs(f)).as(f).isTrue());
        assertThat(all.restartData()).isNull();

        ApiBench.Options restartOnly = ApiBench.Options.parse(new String[] {"--figures", "restart",
                "--restart-data", dir.toString(), "--restart-objects", "2000"});
        assertThat(restartOnly.runs("restart")).isTrue();
        assertThat(restartOnly.runs("creates")).isFalse();
        assertThat(restartOnly.runs("watch")).isFalse();
        assertThat(restartOnly.restartObjects()).isEqualTo(2000);
        assertThat(restartOnly.restartData()).isEqualTo(dir);

        ApiBench.Options noRestart = ApiBench.Options.parse(new String[] {"--figures", "watch,restart", "--restart-objects", "0"});
        assertThat(noRestart.runs("watch")).isTrue();
        assertThat(noRestart.runs("restart")).isFalse();
    }

    @Test
    void aRestartOnlyRunKeepsItsDataForTheNextRun() throws Exception {
        Path keep = dir.resolve("keep");
        Path work = dir.resolve("work");
        ObjectMapper mapper = new ObjectMapper();
        for (int run = 0; run < 2; run++) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            ApiBench.run(ApiBench.Options.parse(new String[] {"--smoke", "--dir", work.toString(), "--figures", "restart",
                    "--restart-objects", "30", "--restart-data", keep.toString()}),
                    new PrintStream(buffer, true, StandardCharsets.UTF_8));
            List<String> lines = buffer.toString(StandardCharsets.UTF_8).lines().toList();
            assertThat(lines).hasSize(1);
            JsonNode restart = mapper.readTree(lines.getFirst());
            assertThat(restart.path("metric").asText()).isEqualTo("restart");
            assertThat(restart.path("items").asInt()).isEqualTo(30);
            assertThat(restart.path("reused_data").asBoolean()).isEqualTo(run == 1);
        }
        assertThat(keep.resolve("admin.kubeconfig")).exists();
    }
}
