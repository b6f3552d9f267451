package dev.berth.app.topology;

import dev.berth.app.shell.DesktopFixture;
import dev.berth.app.shell.MainWindow;
import dev.berth.app.topology.canvas.TopologyCanvas;
import dev.berth.app.topology.layout.Box;
import dev.berth.app.topology.model.EdgeType;
import dev.berth.app.topology.model.ElementId;
import dev.berth.app.topology.model.TopologyEdge;
import dev.berth.app.topology.model.TopologyElement;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import javafx.geometry.Point2D;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The topology view in the desktop app, headless on Monocle, against a real embedded control plane
 * with simulated nodes: a Deployment with its ReplicaSet and pods, a Service edge with ready
 * endpoints, scaling grows the pod grid without moving anything, selecting opens the details,
 * search focuses, and the by-node view holds the same pods.
 */
@ExtendWith(ApplicationExtension.class)
class TopologyViewIT {
    static final String NS = "default";
    @TempDir
    static Path dir;
    static DesktopFixture cluster;
    MainWindow window;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new DesktopFixture(dir, 2);
        cluster.client.apps().deployments().inNamespace(NS).resource(deployment("web", 2)).create();
        cluster.client.apps().deployments().inNamespace(NS).resource(deployment("api", 1)).create();
        cluster.client.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withSelector(Map.of("app", "web")).addNewPort().withPort(80).endPort().endSpec().build()).create();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static Deployment deployment(String name, int replicas) {
        Map<String, String> labels = Map.of("app", name);
        return new DeploymentBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().withMatchLabels(labels).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName(name).withImage("berth-test/busybox:1").endContainer().endSpec()
                .endTemplate().endSpec().build();
    }

    @Start
    void start(Stage stage) {
        window = new MainWindow(stage, cluster.appContext());
        window.closeQuestion(why -> MainWindow.CloseChoice.STOP);
        window.show();
    }

    @AfterEach
    void closeWindow(FxRobot robot) {
        robot.interact(() -> window.close(MainWindow.CloseChoice.STOP));
    }

    static <T> T fx(Callable<T> read) throws Exception {
        return WaitForAsyncUtils.asyncFx(read).get(10, TimeUnit.SECONDS);
    }

    private TopologyView open(FxRobot robot) {
        await().atMost(Duration.ofSeconds(30)).until(() -> window.session() != null && window.explorer() != null);
        robot.clickOn("Topology");
        await().atMost(Duration.ofSeconds(10)).until(() -> window.topology() != null);
        return window.topology();
    }

    private static ElementId id(String kind, String name) {
        return ElementId.of(kind, NS, name);
    }

    private ElementId replicaSetOf(TopologyView view, String deployment) throws Exception {
        return fx(() -> view.model().edgesOf(id("Deployment", deployment)).stream()
                .filter(e -> e.type() == EdgeType.OWNS).map(TopologyEdge::to).findFirst().orElse(null));
    }

    @Test
    void showsADeploymentWithItsReplicaSetPodsAndReadyServiceEdgesAndScalingMovesNothing(FxRobot robot) throws Exception {
        TopologyView view = open(robot);
        TopologyCanvas canvas = view.canvas();
        await().atMost(Duration.ofSeconds(60)).until(() -> replicaSetOf(view, "web") != null);
        ElementId rs = replicaSetOf(view, "web");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(fx(() -> view.model().podsOf(rs))).hasSize(2);
            List<TopologyEdge> endpoints = fx(() -> view.model().edgesOf(id("Service", "web")).stream()
                    .filter(e -> e.type() == EdgeType.ENDPOINT).toList());
            assertThat(endpoints).hasSize(2).allMatch(TopologyEdge::ready);
            assertThat(fx(() -> view.model().edges())).contains(TopologyEdge.of(id("Service", "web"), id("Deployment", "web"), EdgeType.SELECTS));
            assertThat(fx(() -> canvas.boxes().keySet())).contains(id("Service", "web"), id("Deployment", "web"), rs, id("Deployment", "api"));
            assertThat(fx(() -> canvas.layoutRunning())).isFalse();
        });
        assertThat(fx(() -> view.model().get(id("Service", "web")).summary())).endsWith("2/2 endpoints ready");
        Map<ElementId, Box> before = fx(() -> new HashMap<>(canvas.boxes()));
        Box service = before.get(id("Service", "web"));
        assertThat(service.maxX()).isLessThan(before.get(id("Deployment", "web")).x());
        assertThat(before.get(id("Deployment", "web")).maxX()).isLessThan(before.get(rs).x());

        cluster.client.apps().deployments().inNamespace(NS).withName("web").scale(5);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(fx(() -> view.model().podsOf(rs))).hasSize(5));
        Map<ElementId, Box> after = fx(() -> new HashMap<>(canvas.boxes()));
        assertThat(after).containsAllEntriesOf(before);
        assertThat(after.keySet()).doesNotContain(id("Pod", fx(() -> view.model().podsOf(rs).get(4).name())));

        // select: click the Deployment's box, the details pane shows it
        robot.interact(canvas::zoomToFit);
        Point2D target = fx(() -> canvas.localToScreen(canvas.sceneToLocal(canvas.sceneCenterOf(id("Deployment", "web")).orElseThrow())));
        robot.clickOn(target);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(fx(canvas::selected)).isEqualTo(id("Deployment", "web"));
            assertThat(robot.lookup("#details-title").queryAllAs(Label.class))
                    .anyMatch(l -> l.getText().equals("Deployment default/web"));
        });
        assertThat(fx(() -> canvas.hitTest(canvas.sceneCenterOf(rs).orElseThrow().getX(), canvas.sceneCenterOf(rs).orElseThrow().getY())
                .orElseThrow().id())).isEqualTo(rs);
    }

    @Test
    void searchFocusesCentresAndSelectsAndTheNodeViewHoldsThePods(FxRobot robot) throws Exception {
        TopologyView view = open(robot);
        TopologyCanvas canvas = view.canvas();
        await().atMost(Duration.ofSeconds(60)).until(() -> fx(() -> canvas.boxes().containsKey(id("Deployment", "api"))
                && !canvas.layoutRunning()));

        robot.clickOn("#topology-search").write("api").type(KeyCode.ENTER);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(fx(canvas::selected)).isEqualTo(id("Deployment", "api"));
            Point2D centre = fx(() -> canvas.sceneCenterOf(id("Deployment", "api")).orElseThrow());
            Point2D middle = fx(() -> canvas.localToScene(canvas.getWidth() / 2, canvas.getHeight() / 2));
            assertThat(centre.distance(middle)).isLessThan(2);
            assertThat(robot.lookup("#details-title").queryAllAs(Label.class)).anyMatch(l -> l.getText().equals("Deployment default/api"));
        });

        robot.clickOn("#topology-mode-nodes");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(fx(() -> canvas.boxes().keySet())).contains(ElementId.of("Node", "", "sim-0"), ElementId.of("Node", "", "sim-1"));
            long podsOnNodes = fx(() -> view.model().podsOnNode("sim-0").size() + view.model().podsOnNode("sim-1").size());
            long pods = fx(() -> view.model().elements().stream().filter(TopologyElement::isPod).count());
            assertThat(podsOnNodes).isEqualTo(pods).isPositive();
        });
    }
    @Test
    void composeToolsWrapTheLiveCanvasAndKeepTheirDraftsWhenSwitchedOff(FxRobot robot) throws Exception {
        TopologyView view = open(robot);
        TopologyCanvas canvas = view.canvas();
        await().atMost(Duration.ofSeconds(60)).until(() -> fx(() -> canvas.boxes().containsKey(id("Deployment", "api"))));
        robot.clickOn("#topology-compose");
        await().atMost(Duration.ofSeconds(30)).until(() -> robot.lookup("#compose-inspector").tryQuery().isPresent());
        // the same canvas, with the live objects still on it, now sits inside the compose tools
        assertThat(fx(() -> canvas.getScene() != null && canvas.boxes().containsKey(id("Deployment", "api")))).isTrue();
        var compose = view.compose().orElseThrow();
        var key = fx(() -> compose.stack().execute(new dev.berth.app.topology.compose.NewDeployment(NS, "registry.test/cache:7")));
        assertThat(fx(() -> compose.stack().drafts().draft(key) != null)).isTrue();

        robot.clickOn("#topology-compose");
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#compose-inspector").tryQuery().isEmpty());
        assertThat(fx(() -> canvas.getScene() != null)).isTrue();
        robot.clickOn("#topology-compose");
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#compose-inspector").tryQuery().isPresent());
        assertThat(fx(() -> view.compose().orElseThrow().stack().drafts().draft(key) != null)).isTrue();
        assertThat(fx(() -> canvas.getScene() != null)).isTrue();
    }
}
