package dev.berth.app.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class BerthCommandTest {
    @Test
    void helpStillListsEveryCommandAndTheAppIsOneOfThem() {
        StringWriter out = new StringWriter();
        int code = new CommandLine(new BerthCommand()).setOut(new PrintWriter(out)).execute("--help");
        assertThat(code).isZero();
        assertThat(out.toString()).contains("Without a command, opens the desktop app")
                .contains("app ").contains("server").contains("agent").contains("sim").contains("bench").contains("image");
    }

    @Test
    void theAppCommandRefusesABadListenAddress() {
        int code = new CommandLine(new BerthCommand()).execute("app", "--listen", "host:99999");
        assertThat(code).isEqualTo(2);
    }
}
