package dev.berth.installers;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InstallerOptionsTest {
    static final String[] REQUIRED = {"--app", "a", "--icons", "i", "--version", "0.1.0-SNAPSHOT", "--work", "w", "--out", "o"};

    @Test
    void everyPackageIsMadeFromTheAppImage() {
        String[] args = concat(REQUIRED, "--types", "deb,tar.gz", "--aot", "false");
        InstallerOptions o = InstallerOptions.parse(args);

        assertThat(o.types()).containsExactly("app-image", "deb", "tar.gz");
        assertThat(o.aot()).isFalse();
        assertThat(o.app()).isEqualTo(Path.of("a"));
        assertThat(InstallerOptions.parse(REQUIRED).aot()).isTrue();
    }

    @Test
    void badOptionsAreNamedWithTheRule() {
        assertThatThrownBy(() -> InstallerOptions.parse(concat(REQUIRED, "--types", "deb,snap")))
                .hasMessageStartingWith("--types: \"snap\" is not a package type; known: app-image, deb, tar.gz, rpm");
        assertThatThrownBy(() -> InstallerOptions.parse(concat(REQUIRED, "--aot", "yes")))
                .hasMessage("--aot yes must be true or false");
        assertThatThrownBy(() -> InstallerOptions.parse(new String[] {"--app", "a"}))
                .hasMessage("missing --icons, --version, --work, --out");
        assertThatThrownBy(() -> InstallerOptions.parse(new String[] {"--out"})).hasMessage("--out needs a value");
        assertThatThrownBy(() -> InstallerOptions.parse(concat(REQUIRED, "--version", "latest")))
                .hasMessageContaining("\"latest\" must be MAJOR");
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
