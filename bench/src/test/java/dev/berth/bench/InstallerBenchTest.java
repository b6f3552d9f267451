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
    void sizesAreRatiosAgainstTheGoal(@TempDir Path tmp) throws Exception {
        Path out = Files.createDirectories(tmp.resolve("target/installers"));
        Files.write(out.resolve("berth_0.1.0-0_amd64.deb"), new byte[45_000_000]);
        Files.write(out.resolve("berth-0.1.0-linux-x86_64.tar.gz"), new byte[99_000_000]);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        InstallerBench.sizes(new InstallerBench.Options(out, Path.of("/nonexistent"), 1, true),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));

        String line = bytes.toString(StandardCharsets.UTF_8).trim();
        assertThat(line).contains("\"deb_mb\":45.0", "\"deb_vs_goal\":0.5", "\"archive_mb\":99.0", "\"archive_vs_goal\":1.1",
                "\"agent_bundle_mb\":0").doesNotContain("rpm_mb");
    }

    @Test
    void withoutTheAppArchiveTheRuntimesOwnCdsArchiveComesAfterTheLaunchersOptions() {
        assertThat(InstallerBench.Mode.APP_ARCHIVE.environment(Path.of("/opt/berth/bin/Berth"))).isEmpty();
        assertThat(InstallerBench.Mode.JDK_CDS.environment(Path.of("/opt/berth/bin/Berth")))
                .containsEntry("_JAVA_OPTIONS", "-XX:SharedArchiveFile=/opt/berth/lib/runtime/lib/server/classes_coh.jsa");
    }

    @Test
    void cpuTimeOfAProcessIsReadFromProc() {
        // this JVM has used some CPU by now; a process that does not exist has none to read
        assertThat(InstallerBench.cpuMillis(ProcessHandle.current().pid())).isPositive();
        assertThat(InstallerBench.cpuMillis(Long.MAX_VALUE)).isEqualTo(-1);
    }

    @Test
    void medianOfTheRuns() {
        assertThat(InstallerBench.median(List.of(900L, 300L, 500L))).isEqualTo(500);
        assertThat(InstallerBench.median(List.of())).isEqualTo(-1);
    }
}
