package dev.berth.installers;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** jpackage takes only numeric versions: the build's version maps onto one and a package release. */
class InstallerVersionTest {
    @Test
    void aSnapshotIsReleaseZeroOfItsNumericVersion() {
        assertThat(InstallerVersion.of("0.1.0-SNAPSHOT")).isEqualTo(new InstallerVersion("0.1.0", "0"));
        assertThat(InstallerVersion.of("1.4.2-rc.1")).isEqualTo(new InstallerVersion("1.4.2", "0"));
    }

    @Test
    void aReleaseIsReleaseOneAndMissingPartsAreZero() {
        assertThat(InstallerVersion.of("0.1.0")).isEqualTo(new InstallerVersion("0.1.0", "1"));
        assertThat(InstallerVersion.of("2")).isEqualTo(new InstallerVersion("2.0.0", "1"));
        assertThat(InstallerVersion.of("2.07")).isEqualTo(new InstallerVersion("2.7.0", "1"));
    }

    @Test
    void versionsThatNoInstallerTakesAreRefusedNamingTheRule() {
        assertThatThrownBy(() -> InstallerVersion.of("v1.0")).hasMessageContaining("\"v1.0\" must be MAJOR[.MINOR[.PATCH]][-QUALIFIER]");
        assertThatThrownBy(() -> InstallerVersion.of("300.0.0")).hasMessageContaining("MAJOR 300 must be at most 255");
        assertThatThrownBy(() -> InstallerVersion.of("1.2.3.4")).hasMessageContaining("must be MAJOR");
    }
}
