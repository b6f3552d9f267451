package dev.berth.app.topology.compose;

import dev.berth.app.fx.FxTasks;
import dev.berth.app.shell.DesktopFixture;
import dev.berth.app.topology.canvas.TopologyCanvas;
import dev.berth.app.topology.model.ElementId;
import dev.berth.app.topology.model.ObjectChange;
import dev.berth.app.topology.model.TopologyElement;
import dev.berth.app.topology.model.TopologyModel;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import javafx.geometry.Bounds;
import javafx.geometry.Point2D;
import javafx.scene.Scene;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The compose flow with the mouse, headless: an image dragged onto the canvas, a second image
 * dragged onto that Deployment (a two-container pod), undo and redo with the keyboard, a port set
 * in the inspector, a Service dragged in and an edge drawn from it, then Apply through the diff
 * dialog; the pods run on simulated nodes and the canvas shows the objects live.
 */
@ExtendWith(ApplicationExtension.class)
class ComposeViewIT {
    @TempDir
    static Path dir;
    static DesktopFixture cluster;
    TopologyCanvas canvas;
    ComposeController compose;
    DraftSet drafts;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new DesktopFixture(dir, 2);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Start
    void start(Stage stage) {
        canvas = new TopologyCanvas(FxTasks.onFxThread());
        canvas.setModel(new TopologyModel("default"));
        drafts = new DraftSet(LiveObjects.none());
        compose = new ComposeController(canvas, new CommandStack(drafts), FxTasks.onFxThread(), () -> cluster.client, "default");
        stage.setScene(new Scene(new javafx.scene.layout.StackPane(compose.view()), 1280, 820));
        stage.show();
    }

    static <T> T fx(Callable<T> read) throws Exception {
        return WaitForAsyncUtils.asyncFx(read).get(10, TimeUnit.SECONDS);
    }

    /** A point of the canvas, in screen coordinates, {@code fx} and {@code fy} fractions of its size. */
    private Point2D onCanvas(double fx, double fy) throws Exception {
        return fx(() -> {
            Bounds b = canvas.localToScreen(canvas.getBoundsInLocal());
            return new Point2D(b.getMinX() + b.getWidth() * fx, b.getMinY() + b.getHeight() * fy);
        });
    }

    /** Where an element is drawn, in screen coordinates, once the canvas has placed it. */
    private Point2D centreOf(ElementId id) throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> fx(() -> canvas.sceneCenterOf(id).isPresent()));
        return fx(() -> {
            Point2D scene = canvas.sceneCenterOf(id).orElseThrow();
            return canvas.localToScreen(canvas.sceneToLocal(scene));
        });
    }

    private int containers(DraftKey k) throws Exception {
        return fx(() -> drafts.object(k).<List<?>>get("spec", "template", "spec", "containers").size());
    }

    private void typeImage(FxRobot robot, String image) {
        robot.interact(() -> robot.lookup("#compose-image-name").queryAs(TextField.class).setText(image));
    }

    @Test
    void composesATwoContainerPodWithAServiceAppliesItAndSeesItGoLive(FxRobot robot) throws Exception {
        DraftKey nginx = new DraftKey("apps", "Deployment", "default", "nginx");
        ElementId nginxId = ElementId.of("Deployment", "default", "nginx");

        typeImage(robot, "nginx:1.27.3");
        robot.drag("#compose-typed-image").dropTo(onCanvas(0.3, 0.25));
        await().atMost(Duration.ofSeconds(10)).until(() -> fx(() -> drafts.draft(nginx) != null));
        Point2D nginxAt = centreOf(nginxId);
        assertThat(fx(() -> {
            Point2D scene = canvas.localToScene(canvas.screenToLocal(nginxAt));
            return canvas.hitTest(scene.getX(), scene.getY()).orElseThrow().draft();
        })).as("the new Deployment is drawn as a draft").isTrue();

        typeImage(robot, "busybox:1.36.1");
        robot.drag("#compose-typed-image").dropTo(nginxAt);
        await().atMost(Duration.ofSeconds(10)).until(() -> containers(nginx) == 2);

        robot.press(KeyCode.CONTROL, KeyCode.Z).release(KeyCode.Z, KeyCode.CONTROL);
        await().atMost(Duration.ofSeconds(10)).until(() -> containers(nginx) == 1);
        robot.press(KeyCode.CONTROL, KeyCode.SHIFT, KeyCode.Z).release(KeyCode.Z, KeyCode.SHIFT, KeyCode.CONTROL);
        await().atMost(Duration.ofSeconds(10)).until(() -> containers(nginx) == 2);

        robot.clickOn(nginxAt);
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#compose-inspector-ports-nginx").tryQuery().isPresent());
        robot.clickOn("#compose-inspector-ports-nginx").write("80").type(KeyCode.ENTER);
        await().atMost(Duration.ofSeconds(10)).until(() -> fx(() -> drafts.object(nginx)
                .<List<Map<String, Object>>>get("spec", "template", "spec", "containers").getFirst().get("ports") != null));

        // environment and a readiness probe through the inspector's fields
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#compose-inspector-env-nginx").tryQuery().isPresent());
        robot.interact(() -> robot.lookup("#compose-inspector-env-nginx").queryAs(TextArea.class).setText("MODE=demo\n"));
        robot.interact(() -> robot.lookup("#compose-inspector-set-env-nginx").queryAs(javafx.scene.control.Button.class).fire());
        await().atMost(Duration.ofSeconds(10)).until(() -> fx(() -> drafts.object(nginx)
                .<List<Map<String, Object>>>get("spec", "template", "spec", "containers").getFirst().get("env") != null));
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#compose-inspector-readiness-nginx-handler").tryQuery().isPresent());
        robot.interact(() -> {
            robot.lookup("#compose-inspector-readiness-nginx-handler").<javafx.scene.control.ChoiceBox<InspectorFields.Handler>>query()
                    .setValue(InspectorFields.Handler.TCP_SOCKET);
            robot.lookup("#compose-inspector-readiness-nginx-target").queryAs(TextField.class).setText("80");
            robot.lookup("#compose-inspector-readiness-nginx-set").queryAs(javafx.scene.control.Button.class).fire();
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> fx(() -> drafts.object(nginx)
                .<List<Map<String, Object>>>get("spec", "template", "spec", "containers").getFirst().get("readinessProbe") != null));

        robot.drag("#palette-kind-service").dropTo(onCanvas(0.3, 0.7));
        DraftKey svc = new DraftKey("", "Service", "default", "service");
        await().atMost(Duration.ofSeconds(10)).until(() -> fx(() -> drafts.draft(svc) != null));
        Point2D svcAt = centreOf(ElementId.of("Service", "default", "service"));
        robot.press(KeyCode.SHIFT);
        robot.drag(svcAt).dropTo(nginxAt);
        robot.release(KeyCode.SHIFT);
        await().atMost(Duration.ofSeconds(10)).until(() -> fx(() -> drafts.object(svc).get("spec", "selector") != null));
        assertThat(fx(() -> drafts.object(svc).<Map<String, String>>get("spec", "selector"))).containsExactlyInAnyOrderEntriesOf(Map.of("app", "nginx"));

        robot.clickOn("#compose-apply");
        await().atMost(Duration.ofSeconds(30)).until(() -> robot.lookup("#compose-diff").tryQuery().isPresent());
        assertThat(robot.lookup("#compose-diff").queryAs(TextArea.class).getText())
                .contains("default/Deployment/nginx (new)").contains("+        - image: busybox:1.36.1");
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#compose-diff-apply")
                .match(org.testfx.matcher.base.NodeMatchers.isVisible()).tryQuery().isPresent());
        robot.clickOn("#compose-diff-apply");
        await().atMost(Duration.ofSeconds(30)).until(() -> fx(() -> drafts.isEmpty()));
        assertThat(fx(compose::statusText)).startsWith("Applied 2 objects");

        Deployment live = cluster.client.apps().deployments().inNamespace("default").withName("nginx").get();
        assertThat(live.getSpec().getTemplate().getSpec().getContainers()).extracting(c -> c.getName()).containsExactly("nginx", "busybox");
        var liveNginx = live.getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(liveNginx.getEnv()).singleElement().satisfies(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("MODE=demo"));
        assertThat(liveNginx.getReadinessProbe().getTcpSocket().getPort().getIntVal()).isEqualTo(80);
        Service liveSvc = cluster.client.services().inNamespace("default").withName("service").get();
        assertThat(liveSvc.getSpec().getSelector()).containsExactlyInAnyOrderEntriesOf(Map.of("app", "nginx"));
        assertThat(liveSvc.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(80));

        // the simulated nodes run the pod: both containers ready
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<Pod> pods = cluster.client.pods().inNamespace("default").withLabel("app", "nginx").list().getItems();
            assertThat(pods).singleElement().satisfies(p -> {
                assertThat(p.getSpec().getNodeName()).startsWith("sim-");
                assertThat(p.getStatus().getPhase()).isEqualTo("Running");
                assertThat(p.getStatus().getContainerStatuses()).hasSize(2).allSatisfy(cs -> assertThat(cs.getReady()).isTrue());
            });
        });

        // live on the canvas: the draft boxes are gone, the live objects take their place
        for (String[] k : new String[][] {{"apps/v1", "Deployment"}, {"apps/v1", "ReplicaSet"}, {"v1", "Pod"}, {"v1", "Service"}}) {
            for (GenericKubernetesResource o : cluster.client.genericKubernetesResources(k[0], k[1]).inNamespace("default")
                    .list().getItems()) {
                robot.interact(() -> canvas.apply(canvas.model().apply(ObjectChange.upsert(k[1], o))));
            }
        }
        TopologyElement deployment = fx(() -> canvas.model().get(nginxId));
        assertThat(deployment.draft()).isFalse();
        assertThat(fx(() -> canvas.model().get(ElementId.of("Service", "default", "service")).draft())).isFalse();
        assertThat(fx(() -> canvas.model().elements().stream().filter(TopologyElement::isPod).count())).isEqualTo(1);
    }
}
