package dev.berth.agent.volume;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SubPathsTest {
    @TempDir
    Path volume;
    @TempDir
    Path outside;

    @Test
    void existingSubPathResolvesThroughLinksInsideTheVolume() throws IOException {
        Path data = Files.createDirectories(volume.resolve("..2026/conf"));
        Files.writeString(data.resolve("app.yaml"), "x");
        Files.createSymbolicLink(volume.resolve("..data"), Path.of("..2026"));
        Files.createSymbolicLink(volume.resolve("app.yaml"), Path.of("..data/conf/app.yaml"));

        assertThat(PodVolumes.resolveSubPath(volume, "app.yaml")).isEqualTo(data.resolve("app.yaml").toRealPath());
        assertThat(PodVolumes.resolveSubPath(volume, "")).isEqualTo(volume);
    }

    @Test
    void missingSubPathIsCreatedAsADirectory() {
        Path made = PodVolumes.resolveSubPath(volume, "logs/app");
        assertThat(made).isDirectory().startsWith(volume.toAbsolutePath());
    }

    @Test
    void subPathsLeavingTheVolumeAreRefused() throws IOException {
        Files.createSymbolicLink(volume.resolve("escape"), outside);
        Files.createSymbolicLink(volume.resolve("passwd"), Path.of("/etc/passwd"));

        assertThatThrownBy(() -> PodVolumes.resolveSubPath(volume, "escape/new-dir"))
                .isInstanceOf(VolumeException.class).hasMessageContaining("a subPath must stay inside its volume");
        assertThatThrownBy(() -> PodVolumes.resolveSubPath(volume, "passwd"))
                .hasMessageContaining("resolves to /etc/passwd, outside the volume");
        assertThatThrownBy(() -> PodVolumes.resolveSubPath(volume, "a/../../etc"))
                .hasMessage("subPath: Invalid value: \"a/../../etc\": must not contain '..'");
        assertThatThrownBy(() -> PodVolumes.resolveSubPath(volume, "/etc"))
                .hasMessage("subPath: Invalid value: \"/etc\": must be a relative path");
        assertThat(outside.resolve("new-dir")).doesNotExist();
    }
}
