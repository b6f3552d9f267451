package dev.berth.core.datadir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirLockTest {
    @TempDir Path dir;
    Process child;

    @AfterEach
    void stopChild() throws Exception {
        if (child != null && child.isAlive()) {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void writesTheOwnersPidIntoTheLockFile() throws Exception {
        try (DataDirLock lock = DataDirLock.acquire(dir)) {
            assertThat(lock.dir()).isEqualTo(dir.toAbsolutePath());
            assertThat(Files.readString(dir.resolve("lock"))).isEqualTo(ProcessHandle.current().pid() + "\n");
        }
    }

    @Test
    void createsAMissingDataDirOnlyTheOwnerCanEnter() throws Exception {
        Path missing = dir.resolve("a/b");

        try (DataDirLock _ = DataDirLock.acquire(missing)) {
            assertThat(missing.resolve("lock")).exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(missing))).isEqualTo("rwx------");
        }
    }

    @Test
    void aSecondAcquirerInTheSameProcessIsRefused() {
        try (DataDirLock _ = DataDirLock.acquire(dir)) {
            assertThatThrownBy(() -> DataDirLock.acquire(dir))
                    .isInstanceOf(DataDirInUseException.class)
                    .hasMessage("data dir " + dir + " is in use by PID " + ProcessHandle.current().pid());
        }
    }

    @Test
    void theSameDirThroughASymlinkIsTheSameDir() throws Exception {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);

        try (DataDirLock _ = DataDirLock.acquire(real)) {
            assertThatThrownBy(() -> DataDirLock.acquire(link))
                    .hasMessage("data dir " + link + " is in use by PID " + ProcessHandle.current().pid());
        }
    }

    @Test
    void closingReleasesTheDir() {
        DataDirLock.acquire(dir).close();

        try (DataDirLock again = DataDirLock.acquire(dir)) {
            assertThat(again.dir()).isEqualTo(dir);
        }
    }

    @Test
    void closeIsIdempotent() {
        DataDirLock lock = DataDirLock.acquire(dir);
        lock.close();
        lock.close();
    }

    @Test
    void anotherProcessIsRefusedWithTheOwnersPid() throws Exception {
        long childPid = startHolder();

        assertThatThrownBy(() -> DataDirLock.acquire(dir))
                .isInstanceOf(DataDirInUseException.class)
                .hasMessage("data dir " + dir + " is in use by PID " + childPid)
                .extracting(e -> ((DataDirInUseException) e).pid()).isEqualTo(childPid);

        child.getOutputStream().close(); // the holder releases the lock and exits
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        try (DataDirLock _ = DataDirLock.acquire(dir)) {
            assertThat(Files.readString(dir.resolve("lock")).strip()).isEqualTo(Long.toString(ProcessHandle.current().pid()));
        }
    }

    @Test
    void aRefusedAcquirerInTheSameProcessDoesNotWeakenTheLockHeld() throws Exception {
        try (DataDirLock _ = DataDirLock.acquire(dir)) {
            assertThatThrownBy(() -> DataDirLock.acquire(dir)).isInstanceOf(DataDirInUseException.class);

            // another process must still find the dir taken
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    DataDirLockHolder.class.getName(), dir.toString())
                    .redirectErrorStream(true)
                    .start();
            child.getOutputStream().close();
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(output).contains("data dir " + dir + " is in use by PID " + ProcessHandle.current().pid())
                    .doesNotContain("locked ");
        }
    }

    @Test
    void theLockIsReleasedWhenTheOwnerDies() throws Exception {
        startHolder();

        child.destroyForcibly(); // SIGKILL: no chance to close anything
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

        try (DataDirLock lock = DataDirLock.acquire(dir)) {
            assertThat(lock.dir()).isEqualTo(dir);
        }
    }

    /** Starts {@link DataDirLockHolder} on the test classpath and waits until it holds the lock; returns its PID. */
    private long startHolder() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                DataDirLockHolder.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader stdout = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line = stdout.readLine(); // blocks until the child has the lock (or dies: null)
        assertThat(line).as("first line from the lock holder").startsWith("locked ");
        long pid = Long.parseLong(line.substring("locked ".length()));
        assertThat(pid).isEqualTo(child.pid());
        return pid;
    }
}
