package dev.berth.installers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The AOT cache is named in the launcher's configuration, inside its [JavaOptions] section, once. */
class AotTrainingTest {
    @Test
    void addsTheOptionAtTheEndOfTheJavaOptionsSectionOnce(@TempDir Path tmp) throws Exception {
        Path cfg = Files.writeString(tmp.resolve("Berth.cfg"), """
                [Application]
                app.classpath=$APPDIR/berth-app.jar
                app.mainclass=dev.berth.app.cli.Main

                [JavaOptions]
                java-options=-Djpackage.app-version=0.1.0
                java-options=-XX:+UseG1GC
                [ArgOptions]
                """);

        AotTraining.addJavaOption(cfg, "-XX:AOTCache=$APPDIR/berth.aot");
        AotTraining.addJavaOption(cfg, "-XX:AOTCache=$APPDIR/berth.aot");

        assertThat(Files.readAllLines(cfg)).containsExactly("[Application]", "app.classpath=$APPDIR/berth-app.jar",
                "app.mainclass=dev.berth.app.cli.Main", "", "[JavaOptions]", "java-options=-Djpackage.app-version=0.1.0",
                "java-options=-XX:+UseG1GC", "java-options=-XX:AOTCache=$APPDIR/berth.aot", "[ArgOptions]");
    }
}
