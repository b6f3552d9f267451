package dev.berth.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The installer benchmark's options, and its size figures against the goal. */
class InstallerBenchTest {
    @Test
    void defaultsAndSmoke() {
        assertThat(InstallerBench.Options.parse(new String[0])).isEqualTo(new InstallerBench.Options(
                Path.of("installers/target/installers"), Path.of("/opt/berth/bin/Berth"), 5, false));
        assertThat(InstallerBench.Options.parse(new String[] {"--smoke", "--launcher", "/x/bin/Berth"}))
                .isEqualTo(new InstallerBench.Options(Path.of("installers/target/installers"), Path.of("/x/bin/Berth"), 1, true));
    }

    @Test
    void badValuesAreNamedWithTheRule() {
        assertThatThrownBy(() -> InstallerBench.Options.parse(new String[] {"--runs", "0"}))
                .hasMessage("--runs 0 must be a positive whole number");
        assertThatThrownBy(() -> InstallerBench.Options.parse(new String[] {"--launcher"}))
                .hasMessage("--launcher needs a value");
        assertThatThrownBy(() -> InstallerBench.Options.parse(new String[] {"--deb", "x"}))
                .hasMessageStartingWith("unknown option --deb");
    }

    @Test
    void sizesAreRatiosAgainstTheGoalWithTheBundleShare(@TempDir Path tmp) throws Exception {
        Path out = Files.createDirectories(tmp.resolve("target/installers"));
        Files.write(out.resolve("berth_0.1.0-0_amd64.deb"), new byte[45_000_000]);
        Path bundle = Files.createDirectories(tmp.resolve("target/work/content/bundle"));
        Files.write(bundle.resolve("berth-agent-0.1.0-x86_64.tar.gz"), new byte[9_000_000]);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        InstallerBench.sizes(new InstallerBench.Options(out, Path.of("/nonexistent"), 1, true),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));

        String line = bytes.toString(StandardCharsets.UTF_8).trim();
        assertThat(line).contains("\"deb_mb\":45.0", "\"deb_vs_goal\":0.5", "\"agent_bundle_mb\":9.0",
                "\"agent_bundle_share_of_deb\":0.2").doesNotContain("rpm_mb");
    }

    @Test
    void medianOfTheRuns() {
        assertThat(InstallerBench.median(List.of(900L, 300L, 500L))).isEqualTo(500);
        assertThat(InstallerBench.median(List.of())).isEqualTo(-1);
    }
}
