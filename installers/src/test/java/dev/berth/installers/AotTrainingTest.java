package dev.berth.installers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The class data archive is named in the launcher's configuration, inside its [JavaOptions] section, once. */
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

        AotTraining.addJavaOption(cfg, AotTraining.ARCHIVE_OPTION);
        AotTraining.addJavaOption(cfg, AotTraining.ARCHIVE_OPTION);

        assertThat(Files.readAllLines(cfg)).containsExactly("[Application]", "app.classpath=$APPDIR/berth-app.jar",
                "app.mainclass=dev.berth.app.cli.Main", "", "[JavaOptions]", "java-options=-Djpackage.app-version=0.1.0",
                "java-options=-XX:+UseG1GC", "java-options=-XX:SharedArchiveFile=$APPDIR/berth.jsa", "[ArgOptions]");
    }

    @Test
    void thePortableArchivesConfigurationDoesNotNameTheArchiveNoScriptMakes(@TempDir Path tmp) throws Exception {
        Path image = tmp.resolve("Berth");
        Path cfg = Files.createDirectories(image.resolve("lib/app")).resolve("Berth.cfg");
        Files.writeString(cfg, "[JavaOptions]\njava-options=-XX:+UseG1GC\njava-options=" + AotTraining.ARCHIVE_OPTION + "\n");
        Path jar = Files.writeString(image.resolve("lib/app/berth-app.jar"), "jar");
        Path archive = tmp.resolve("berth.tar.gz");

        AppImageArchive.write(image, "berth", archive, java.util.Map.of("lib/app/Berth.cfg", AotTraining::withoutArchive));

        java.util.Map<String, String> files = new java.util.HashMap<>();
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                new org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream(Files.newInputStream(archive)))) {
            for (var e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                if (e.isFile()) files.put(e.getName(), new String(tar.readAllBytes()));
            }
        }
        assertThat(files).containsEntry("berth/lib/app/Berth.cfg", "[JavaOptions]\njava-options=-XX:+UseG1GC\n")
                .containsEntry("berth/lib/app/berth-app.jar", "jar");
        assertThat(Files.readString(cfg)).contains(AotTraining.ARCHIVE_OPTION);
        assertThat(jar).exists();
    }
}
