package dev.berth.app.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeAddCommandTest {
    @Test
    void loopbackServerStopsBeforeTouchingTheHostAndSaysWhichFlag() {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            // 192.0.2.1 (TEST-NET) is never contacted: the check comes first
            code = new CommandLine(new BerthCommand()).execute("node", "add", "192.0.2.1", "--server", "https://127.0.0.1:6443");
        } finally {
            System.setErr(old);
        }
        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("berth server --listen 0.0.0.0:6443");
    }

    @Test
    void labelsAndTaintsAreParsedOrRefusedNamingTheRule() {
        assertThat(NodeAddCommand.parseLabels(List.of("lab/room=b12", "gpu=")))
                .containsEntry("lab/room", "b12").containsEntry("gpu", "");
        assertThat(NodeAddCommand.parseTaints(List.of("gpu=yes:NoSchedule", "maint:NoExecute")))
                .extracting(t -> t.getKey() + "|" + t.getValue() + "|" + t.getEffect())
                .containsExactly("gpu|yes|NoSchedule", "maint|null|NoExecute");
        assertThatThrownBy(() -> NodeAddCommand.parseLabels(List.of("nolabel"))).hasMessageContaining("KEY=VALUE");
        assertThatThrownBy(() -> NodeAddCommand.parseTaints(List.of("gpu:Never")))
                .hasMessageContaining("effect \"Never\" must be NoSchedule, PreferNoSchedule or NoExecute");
    }

    @Test
    void subcommandsAreListedUnderNode() {
        CommandLine cli = new CommandLine(new BerthCommand());
        assertThat(cli.getSubcommands().get("node").getSubcommands()).containsKeys("add", "upgrade", "remove", "credentials");
    }
}
