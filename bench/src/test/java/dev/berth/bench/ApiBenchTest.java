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
    }
}
