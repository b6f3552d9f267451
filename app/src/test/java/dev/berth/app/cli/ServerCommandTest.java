package dev.berth.app.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerCommandTest {
    @TempDir
    Path dataDir;

    @Test
    void certificateLifetimesAreReadInDaysHoursOrMinutes() {
        assertThat(ServerCommand.parseLifetime("90d")).isEqualTo(Duration.ofDays(90));
        assertThat(ServerCommand.parseLifetime("8760h")).isEqualTo(Duration.ofDays(365));
        assertThat(ServerCommand.parseLifetime("2h30m")).isEqualTo(Duration.ofMinutes(150));
        assertThatThrownBy(() -> ServerCommand.parseLifetime("forever"))
                .hasMessage("--cert-lifetime: invalid value \"forever\": must be a duration like 30m, 1h or 2h30m");
    }

    @Test
    void aCertificateLifetimeBelowTenMinutesIsRefusedBeforeAnythingStarts() {
        StringWriter err = new StringWriter();
        int code = new CommandLine(new BerthCommand()).setErr(new PrintWriter(err))
                .execute("server", "--data-dir", dataDir.toString(), "--listen", "127.0.0.1:0", "--cert-lifetime", "5m");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--cert-lifetime: invalid value \"5m\"").contains("must be at least 10 minutes");
        assertThat(dataDir).isEmptyDirectory();
    }
}
