package dev.berth.app.shell;

import dev.berth.app.cluster.EmbeddedControlPlane;
import dev.berth.app.settings.Settings;
import dev.berth.core.server.ServerOptions;
import dev.berth.core.sim.HollowNodeSpec;
import dev.berth.core.sim.HollowNodes;
import dev.berth.core.sim.SimOptions;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;

/**
 * A real embedded control plane on a free port in a temporary data dir, with simulated nodes and
 * an admin client, for the app's UI tests and its screenshots.
 */
public final class DesktopFixture implements AutoCloseable {
    public final Path dataDir;
    public final EmbeddedControlPlane controlPlane;
    public final KubernetesClient client;
    public final HollowNodes nodes;

    public DesktopFixture(Path dataDir, int nodeCount) throws Exception {
        this.dataDir = dataDir;
        controlPlane = new EmbeddedControlPlane(ServerOptions.defaults(dataDir).withListen("127.0.0.1", 0), Clock.systemUTC());
        controlPlane.start();
        await().atMost(Duration.ofSeconds(90)).until(() -> controlPlane.state().usable()
                || controlPlane.state().phase() == EmbeddedControlPlane.Phase.FAILED);
        if (!controlPlane.state().usable()) {
            throw new IllegalStateException(controlPlane.state().message());
        }
        Config config = Config.fromKubeconfig(Files.readString(controlPlane.state().kubeconfig()));
        client = new KubernetesClientBuilder().withConfig(config).build();
        nodes = new HollowNodes(client, Clock.systemUTC(), SimOptions.defaults()).start();
        nodes.serveSummaries();
        List<HollowNodeSpec> specs = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++) {
            specs.add(HollowNodeSpec.of("sim-" + i, i));
        }
        nodes.addAll(specs);
        await().atMost(Duration.ofSeconds(60)).until(() -> nodes.registeredCount() == nodeCount);
    }

    /** What the main window is built from: this control plane, no kubeconfig contexts of the machine. */
    public AppContext appContext() {
        return new AppContext(controlPlane, Settings.load(dataDir.resolve("app.properties")), Clock.systemUTC(),
                List.of(dataDir.resolve("no-kubeconfig")), dataDir.resolve("kube-config"), null);
    }

    @Override
    public void close() {
        nodes.close();
        client.close();
        controlPlane.close();
    }
}
