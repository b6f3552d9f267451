package dev.berth.core.sim;

import dev.berth.core.controller.TestCluster;
import dev.berth.core.controller.nodeipam.NodeIpam;
import dev.berth.core.controller.nodelifecycle.NodeLifecycle;
import dev.berth.core.controller.runtime.Component;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.FakeClock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real API server, hollow nodes and some controllers, all on one fake clock. For tests of the
 * simulator and of controllers that need nodes.
 */
public final class SimHarness implements AutoCloseable {
    public final FakeClock clock = new FakeClock();
    public final TestCluster cluster;
    public final HollowNodes sim;
    public final ControllerContext context;
    private final List<Component> components = new ArrayList<>();

    public SimHarness(Path dir, SimOptions options, boolean withLifecycle) throws Exception {
        cluster = new TestCluster(dir);
        context = ControllerContext.create(cluster.client(), clock, "test-controllers");
        components.add(new NodeIpam(context));
        if (withLifecycle) {
            components.add(new NodeLifecycle(context));
        }
        components.forEach(Component::start);
        context.informers().start();
        sim = new HollowNodes(cluster.client(), clock, options).start();
    }

    public SimHarness(Path dir) throws Exception {
        this(dir, SimOptions.defaults(), false);
    }

    public KubernetesClient client() {
        return cluster.client();
    }

    public <T extends Component> T component(Class<T> type) {
        return components.stream().filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
    }

    /** A one-container pod in {@code default}, bound to {@code node} when it is not null. */
    public Pod createPod(String name, String node, Map<String, String> annotations) {
        return client().pods().inNamespace("default").resource(new PodBuilder()
                .withNewMetadata().withName(name).withAnnotations(annotations).endMetadata()
                .withNewSpec().withNodeName(node)
                .addNewContainer().withName("app").withImage("registry.local/app:1").endContainer()
                .endSpec().build()).create();
    }

    public Pod pod(String name) {
        return client().pods().inNamespace("default").withName(name).get();
    }

    @Override
    public void close() {
        sim.close();
        for (Component c : components.reversed()) {
            c.close();
        }
        context.informers().close();
        if (context.events() instanceof AutoCloseable a) {
            try {
                a.close();
            } catch (Exception ignored) {
                // closing
            }
        }
        cluster.close();
    }
}
