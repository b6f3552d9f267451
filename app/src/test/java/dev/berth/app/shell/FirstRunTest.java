package dev.berth.app.shell;

import dev.berth.app.settings.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FirstRunTest {
    @TempDir
    Path dir;

    @Test
    void theQuestionIsDueUntilAnsweredAndSimulatedNodesAreRememberedAcrossStarts() {
        Path file = dir.resolve("app.properties");
        Settings s = Settings.load(file);
        assertThat(FirstRun.due(s)).isTrue();
        assertThat(FirstRun.simulatedNodes(s)).isZero();
        FirstRun.remember(s, new FirstRun.Choice(FirstRun.Kind.SIMULATED_NODES, 4));
        Settings again = Settings.load(file);
        assertThat(FirstRun.due(again)).isFalse();
        assertThat(FirstRun.simulatedNodes(again)).isEqualTo(4);
    }

    @Test
    void answeringLaterOrWithMachinesRunsNoSimulatedNodes() {
        Settings s = Settings.load(dir.resolve("app.properties"));
        FirstRun.remember(s, new FirstRun.Choice(FirstRun.Kind.LATER, 0));
        assertThat(FirstRun.due(s)).isFalse();
        assertThat(FirstRun.simulatedNodes(s)).isZero();
    }

    @Test
    void aBadCountInTheSettingsFileMeansNoSimulatedNodes() throws Exception {
        for (String bad : new String[] {"many", "-3", "100000", ""}) {
            Path file = dir.resolve("bad-" + bad.hashCode() + ".properties");
            Files.writeString(file, "simulatedNodes=" + bad + "\n");
            assertThat(FirstRun.simulatedNodes(Settings.load(file))).as(bad).isZero();
        }
    }

    @Test
    void aCountOfSimulatedNodesOutsideOneToAHundredIsRefusedNamingTheRule() {
        assertThatThrownBy(() -> new FirstRun.Choice(FirstRun.Kind.SIMULATED_NODES, 0))
                .hasMessage("nodes: Invalid value: 0: must be between 1 and 100, inclusive");
        assertThatThrownBy(() -> new FirstRun.Choice(FirstRun.Kind.SIMULATED_NODES, 101))
                .hasMessageContaining("must be between 1 and 100");
    }
}
