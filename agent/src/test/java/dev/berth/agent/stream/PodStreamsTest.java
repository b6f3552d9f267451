package dev.berth.agent.stream;

import dev.berth.agent.runtime.LogOptions;
import dev.berth.core.api.Json;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PodStreamsTest {
    private static final Instant NOW = Instant.parse("2026-12-02T07:00:00Z");

    @Test
    void logQueryBecomesLogOptions() {
        LogOptions o = PodStreams.logOptions(Map.of("follow", List.of("true"), "tailLines", List.of("10"),
                "sinceSeconds", List.of("60"), "timestamps", List.of("1"), "limitBytes", List.of("500")), NOW);
        assertThat(o).isEqualTo(new LogOptions(true, 10, NOW.minusSeconds(60), true, 500));
        assertThat(PodStreams.logOptions(Map.of(), NOW)).isEqualTo(LogOptions.ALL);
        assertThat(PodStreams.logOptions(Map.of("sinceTime", List.of("2026-12-02T06:00:00+01:00")), NOW).since())
                .isEqualTo(Instant.parse("2026-12-02T05:00:00Z"));
    }

    @Test
    void badLogQueryNamesTheParameterAndTheRule() {
        assertThatThrownBy(() -> PodStreams.logOptions(Map.of("tailLines", List.of("-1")), NOW))
                .hasMessage("tailLines: invalid value \"-1\": must be an integer greater than or equal to 0");
        assertThatThrownBy(() -> PodStreams.logOptions(Map.of("sinceSeconds", List.of("0")), NOW))
                .hasMessageContaining("sinceSeconds").hasMessageContaining("greater than or equal to 1");
        assertThatThrownBy(() -> PodStreams.logOptions(Map.of("sinceTime", List.of("yesterday")), NOW))
                .hasMessageContaining("sinceTime: invalid value \"yesterday\"");
        assertThatThrownBy(() -> PodStreams.logOptions(Map.of("sinceTime", List.of("2026-12-02T06:00:00Z"),
                "sinceSeconds", List.of("5")), NOW)).hasMessage("at most one of sinceTime or sinceSeconds may be specified");
        assertThatThrownBy(() -> PodStreams.logOptions(Map.of("follow", List.of("maybe")), NOW))
                .hasMessage("follow: invalid value \"maybe\": must be true, false, 1 or 0");
    }

    @Test
    void execQueryNeedsACommandAndAStream() {
        assertThatThrownBy(() -> StreamOptions.parse(Map.of("output", List.of("1")), true))
                .hasMessageContaining("command");
        assertThatThrownBy(() -> StreamOptions.parse(Map.of("command", List.of("ls")), true))
                .hasMessageContaining("at least 1 of stdin");
        StreamOptions tty = StreamOptions.parse(Map.of("command", List.of("sh"), "input", List.of("1"),
                "output", List.of("1"), "error", List.of("1"), "tty", List.of("1")), true);
        assertThat(tty.stderr()).as("with a TTY stderr is merged into stdout").isFalse();
        assertThat(StreamOptions.parse(Map.of("output", List.of("1")), false).command()).isEmpty();
    }

    @Test
    void protocolIsTheClientsFirstChoiceTheServerSupports() {
        assertThat(PodStreams.negotiate(List.of("v5.channel.k8s.io", "v4.channel.k8s.io"),
                List.of("v4.channel.k8s.io", "v5.channel.k8s.io"))).isEqualTo("v5.channel.k8s.io");
        assertThat(PodStreams.negotiate(List.of("base64.channel.k8s.io"), List.of("v4.channel.k8s.io"))).isNull();
    }

    @Test
    void exitStatusIsWhatKubectlReadsTheExitCodeFrom() {
        var failure = Json.parse(Statuses.exit(List.of("sh", "-c", "exit 3"), 3));
        assertThat(failure.path("status").asText()).isEqualTo("Failure");
        assertThat(failure.path("reason").asText()).isEqualTo("NonZeroExitCode");
        assertThat(failure.path("details").path("causes").get(0).path("reason").asText()).isEqualTo("ExitCode");
        assertThat(failure.path("details").path("causes").get(0).path("message").asText()).isEqualTo("3");
        assertThat(failure.path("message").asText()).startsWith("command terminated with non-zero exit code");
        assertThat(Json.parse(Statuses.exit(List.of("true"), 0)).path("status").asText()).isEqualTo("Success");
    }
}
