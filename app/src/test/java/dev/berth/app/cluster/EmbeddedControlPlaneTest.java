package dev.berth.app.cluster;

import dev.berth.core.datadir.DataDirLock;
import dev.berth.core.server.ServerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class EmbeddedControlPlaneTest {
    @TempDir
    Path dir;

    @Test
    void usesTheControlPlaneThatAlreadyHoldsTheDataDirThroughItsAdminKubeconfig() throws Exception {
        try (DataDirLock held = DataDirLock.acquire(dir)) {
            Path kubeconfig = Files.writeString(dir.resolve("admin.kubeconfig"), "apiVersion: v1\nkind: Config\n");
            EmbeddedControlPlane cp = new EmbeddedControlPlane(ServerOptions.defaults(dir).withListen("127.0.0.1", 0),
                    Clock.systemUTC());
            List<EmbeddedControlPlane.Phase> phases = new CopyOnWriteArrayList<>();
            cp.addListener(s -> phases.add(s.phase()));
            cp.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> cp.state().phase() == EmbeddedControlPlane.Phase.ELSEWHERE);
            assertThat(cp.state().usable()).isTrue();
            assertThat(cp.state().kubeconfig()).isEqualTo(kubeconfig);
            assertThat(cp.state().message()).contains("runs in process " + ProcessHandle.current().pid());
            assertThat(phases).startsWith(EmbeddedControlPlane.Phase.STOPPED, EmbeddedControlPlane.Phase.STARTING);
            cp.close();
            assertThat(cp.state().phase()).isEqualTo(EmbeddedControlPlane.Phase.STOPPED);
        }
    }

    @Test
    void failsWithWhatToDoWhenTheHolderHasNoKubeconfigYet() throws Exception {
        try (DataDirLock held = DataDirLock.acquire(dir)) {
            EmbeddedControlPlane cp = new EmbeddedControlPlane(ServerOptions.defaults(dir).withListen("127.0.0.1", 0),
                    Clock.systemUTC());
            cp.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> cp.state().phase() == EmbeddedControlPlane.Phase.FAILED);
            assertThat(cp.state().message()).contains("is in use").contains("start the app with another --data-dir");
            assertThat(cp.state().usable()).isFalse();
            cp.close();
        }
    }
}
