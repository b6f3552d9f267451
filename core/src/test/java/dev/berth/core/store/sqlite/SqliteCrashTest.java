package dev.berth.core.store.sqlite;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing child JVM with SIGKILL and checks that every write it saw acknowledged survived.
 * SIGKILL leaves the OS page cache intact, so this proves the commit protocol (nothing is
 * acknowledged before its commit, reopening recovers the WAL), not fsync against power loss.
 */
class SqliteCrashTest {
    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedWriteSurvivesTheWriterBeingKilled() throws Exception {
        Path file = dir.resolve("crash.db");
        Random random = new Random(7);
        List<String> acknowledged = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            int killAfter = 50 + random.nextInt(400);
            acknowledged.addAll(runAndKill(file, "/crash/round" + round, killAfter));

            try (SqliteStore store = SqliteStore.open(file, SqliteStoreConfig.defaults().withCompactionInterval(Duration.ZERO))) {
                for (String key : acknowledged) {
                    assertThat(store.get(key)).as("acknowledged key %s after round %d", key, round).isPresent();
                }
                assertThat(store.list("/crash/").items().size()).isGreaterThanOrEqualTo(acknowledged.size());
                assertThat(store.currentRevision()).isGreaterThanOrEqualTo(acknowledged.size());
            }
        }
    }

    private static List<String> runAndKill(Path file, String prefix, int killAfter) throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", classPath,
                SqliteCrashWriter.class.getName(), file.toString(), prefix, "4")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        List<String> acknowledged = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("ack ")) {
                    acknowledged.add(line.substring(4));
                    // Through the handle: SIGKILL without Process closing our end of the pipe, so the
                    // lines already printed can still be read.
                    if (acknowledged.size() == killAfter) child.toHandle().destroyForcibly();
                }
            }
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(child.exitValue()).as("exit status of the killed writer").isEqualTo(137);
        // Lines read after the kill were printed before it: acknowledged as well.
        assertThat(acknowledged).as("acknowledged writes of %s", prefix).hasSizeGreaterThanOrEqualTo(killAfter);
        return acknowledged;
    }
}
