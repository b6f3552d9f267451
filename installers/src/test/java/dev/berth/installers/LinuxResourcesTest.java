package dev.berth.installers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The desktop entry and package scripts jpackage takes from the resource folder. */
class LinuxResourcesTest {
    @Test
    void desktopEntryNamesTheThemeIconTheWindowClassAndCategories(@TempDir Path tmp) throws Exception {
        InstallerOptions o = InstallerOptions.parse(new String[] {"--app", "a", "--icons", "i", "--version", "1.0.0",
                "--work", "w", "--out", "o"});
        new InstallerBuild(o, InstallerBuild.Platform.LINUX).writeResources(tmp);

        String entry = Files.readString(tmp.resolve("Berth.desktop"));
        assertThat(entry).startsWith("[Desktop Entry]\n").contains("Name=Berth\n", "Icon=berth\n", "Type=Application\n",
                "Exec=APPLICATION_LAUNCHER\n", "Categories=Development;System;\n",
                "StartupWMClass=Berth\n");
        for (String script : new String[] {"postinst", "prerm", "berth.spec"}) {
            String text = Files.readString(tmp.resolve(script));
            assertThat(text).as(script).doesNotContain("@INSTALL_DIR@").contains("/opt/berth/lib/icons/berth-*.png",
                    "/usr/share/icons/hicolor/${size}x${size}/apps/berth.png", "/opt/berth/bin/Berth");
        }
        assertThat(Files.readString(tmp.resolve("postinst"))).contains("ln -sf /opt/berth/bin/Berth /usr/bin/berth");
        assertThat(Files.readString(tmp.resolve("prerm"))).contains("rm -f /usr/bin/berth");
        // the CDS archives are made at install with the installed runtime, and removed with the package
        for (String script : new String[] {"postinst", "berth.spec"}) {
            assertThat(Files.readString(tmp.resolve(script))).as(script)
                    .contains("/opt/berth/lib/runtime/bin/java -XX:+UseCompactObjectHeaders -Xshare:dump",
                            "/opt/berth/lib/runtime/bin/java -Xshare:dump");
        }
        for (String script : new String[] {"prerm", "berth.spec"}) {
            assertThat(Files.readString(tmp.resolve(script))).as(script)
                    .contains("rm -f /opt/berth/lib/runtime/lib/server/classes.jsa /opt/berth/lib/runtime/lib/server/classes_coh.jsa");
        }
    }
}
