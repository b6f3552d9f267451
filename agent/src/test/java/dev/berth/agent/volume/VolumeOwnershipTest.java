package dev.berth.agent.volume;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class VolumeOwnershipTest {
    private static final int GROUP = 4321;

    private static int gid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    private static void requireRoot() {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("changing a file's group to any gid needs root; CI runs the tests as root");
        }
        assumeTrue(root, "changing a file's group to any gid needs root");
    }

    @Test
    void aWritableVolumeGetsTheGroupWithGroupWriteAndSetgidDirectories(@TempDir Path dir) throws IOException {
        requireRoot();
        Path sub = Files.createDirectories(dir.resolve("a/b"));
        Path file = Files.writeString(sub.resolve("f"), "x");
        Files.setAttribute(file, "unix:mode", 0600);
        Files.createSymbolicLink(dir.resolve("link"), Path.of("/etc/hostname"));
        int hostnameGid = gid(Path.of("/etc/hostname"));

        assertThat(VolumeOwnership.apply(dir, GROUP, false, false)).isTrue();

        assertThat(gid(dir)).isEqualTo(GROUP);
        assertThat(gid(sub)).isEqualTo(GROUP);
        assertThat(gid(file)).isEqualTo(GROUP);
        assertThat(mode(file)).isEqualTo(0660);
        assertThat(mode(sub) & 02070).as("setgid, group rwx").isEqualTo(02070);
        assertThat(gid(Path.of("/etc/hostname"))).as("links are not followed").isEqualTo(hostnameGid);
    }

    @Test
    void aReadOnlyVolumeGetsGroupReadOnly(@TempDir Path dir) throws IOException {
        requireRoot();
        Path file = Files.writeString(dir.resolve("token"), "secret");
        Files.setAttribute(file, "unix:mode", 0400);
        VolumeOwnership.apply(dir, GROUP, true, false);
        assertThat(mode(file)).as("0400 gains group read, not write").isEqualTo(0440);
        assertThat(gid(file)).isEqualTo(GROUP);
    }

    @Test
    void onRootMismatchSkipsAVolumeWhoseRootAlreadyMatches(@TempDir Path dir) throws IOException {
        requireRoot();
        Path file = Files.writeString(dir.resolve("f"), "x");
        VolumeOwnership.apply(dir, GROUP, false, false);
        Files.setAttribute(file, "unix:gid", 0);
        assertThat(VolumeOwnership.apply(dir, GROUP, false, true)).as("root matches: skipped").isFalse();
        assertThat(gid(file)).isZero();
        assertThat(VolumeOwnership.apply(dir, GROUP + 1, false, true)).as("another group: walked").isTrue();
        assertThat(gid(file)).isEqualTo(GROUP + 1);
    }
}
