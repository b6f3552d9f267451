package dev.berth.agent.volume;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A memory-backed emptyDir with the real mount(8), where the test runs as root (as CI does). */
class TmpfsEmptyDirTest {
    @TempDir
    Path dataDir;

    @AfterEach
    void unmountLeftovers() throws IOException {
        for (Path p : Mounter.SYSTEM.mountsUnder(dataDir)) {
            Mounter.SYSTEM.unmount(p);
        }
    }

    @Test
    void memoryEmptyDirIsATmpfsOfTheSizeLimitUntilTearDown() throws Exception {
        assumeTrue(Mounter.SYSTEM.cannotMount().isEmpty(), () -> "needs root: " + Mounter.SYSTEM.cannotMount().orElseThrow());
        {
            var volumes = new DefaultPodVolumes(dataDir, VolumeTestSupport.shared().client, Clock.systemUTC(), "node-a");
            Pod pod = VolumeTestSupport.pod("default", "ram", new VolumeBuilder().withName("shm").withNewEmptyDir()
                    .withMedium("Memory").withSizeLimit(new Quantity("2Mi")).endEmptyDir().build());

            Path dir = volumes.setUp(pod).get("shm");
            volumes.setUp(pod);

            String mountinfo = Files.readString(Path.of("/proc/self/mountinfo"));
            assertThat(mountinfo.lines().filter(l -> l.contains(" " + dir + " "))).singleElement().asString()
                    .contains(" - tmpfs ").contains("size=2048k");
            assertThat(AtomicWriter.modeOf(dir)).isEqualTo(0777);
            Files.writeString(dir.resolve("f"), "in memory");

            volumes.tearDown(pod.getMetadata().getUid());

            assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(" " + dir + " ");
            assertThat(dataDir.resolve("pods").resolve(pod.getMetadata().getUid())).doesNotExist();
        }
    }
}
