package dev.berth.app.shell;

import dev.berth.app.cluster.Kinds;
import dev.berth.app.editor.Apply;
import dev.berth.app.editor.EditorController;
import dev.berth.app.explorer.Row;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
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

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The main flows of the desktop app, headless on Monocle, against a real embedded control plane
 * with simulated nodes: open, browse, filter by text and label, edit YAML with an error shown then
 * fixed and applied (taking over a field another manager owns), scale a Deployment.
 */
@ExtendWith(ApplicationExtension.class)
class DesktopAppIT {
    @TempDir
    static Path dir;
    static DesktopFixture cluster;
    MainWindow window;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new DesktopFixture(dir, 3);
        cluster.client.apps().deployments().inNamespace("default").resource(deployment("web", "front", 1)).create();
        cluster.client.apps().deployments().inNamespace("default").resource(deployment("api", "back", 1)).create();
        cluster.client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("settings").endMetadata().addToData("k", "v").build()).create();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static Deployment deployment(String name, String tier, int replicas) {
        Map<String, String> labels = Map.of("app", name, "tier", tier);
        return new DeploymentBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
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

    @SuppressWarnings("unchecked")
    private TableView<Row> table(FxRobot robot) {
        return robot.lookup("#explorer-table").queryAs(TableView.class);
    }

    /** Reads UI state on the FX thread. */
    static <T> T fx(java.util.concurrent.Callable<T> read) throws Exception {
        return org.testfx.util.WaitForAsyncUtils.asyncFx(read).get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    private List<String> names(FxRobot robot) throws Exception {
        return fx(() -> table(robot).getItems().stream().map(Row::name).toList());
    }

    @org.junit.jupiter.api.AfterEach
    void closeWindow(FxRobot robot) {
        robot.interact(() -> window.close(MainWindow.CloseChoice.STOP));
    }

    private void connected() {
        await().atMost(Duration.ofSeconds(30)).until(() -> window.session() != null && window.explorer() != null);
    }

    @Test
    void opensConnectedToTheEmbeddedControlPlaneAndShowsTheOverview(FxRobot robot) throws Exception {
        connected();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(robot.lookup("#status-control-plane").queryAs(Label.class).getText()).startsWith("Control plane running on https://127.0.0.1:");
            assertThat(robot.lookup("#status-connection").queryAs(Label.class).getText()).startsWith("Connected to Berth on this machine");
        });
        robot.interact(() -> window.show(MainWindow.OVERVIEW));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(robot.lookup("#overview-nodes").queryAs(Label.class).getText()).isEqualTo("3 of 3 ready"));
    }

    @Test
    void browsesASectionAndFiltersByTextAndLabelSelector(FxRobot robot) throws Exception {
        connected();
        robot.clickOn("Deployments");
        await().atMost(Duration.ofSeconds(30)).until(() -> names(robot).containsAll(List.of("api", "web")));
        assertThat(names(robot)).startsWith("api");   // sorted by name

        robot.clickOn("#filter-text").write("we");
        await().atMost(Duration.ofSeconds(5)).until(() -> names(robot).equals(List.of("web")));
        robot.interact(() -> robot.lookup("#filter-text").queryAs(javafx.scene.control.TextField.class).clear());
        await().atMost(Duration.ofSeconds(5)).until(() -> names(robot).size() == 2);

        robot.clickOn("#filter-labels").write("tier in (back");
        await().atMost(Duration.ofSeconds(5)).until(() -> window.explorer().filterError().contains("label selector \"tier in (back\""));
        robot.write(")");
        await().atMost(Duration.ofSeconds(5)).until(() -> names(robot).equals(List.of("api"))
                && window.explorer().filterError().isEmpty());
        robot.interact(() -> robot.lookup("#filter-labels").queryAs(javafx.scene.control.TextField.class).clear());

        robot.clickOn("Config Maps");
        await().atMost(Duration.ofSeconds(30)).until(() -> names(robot).contains("settings"));
    }

    @Test
    void editsYamlShowingTheServersErrorInlineThenAppliesTheFix(FxRobot robot) throws Exception {
        connected();
        robot.clickOn("Deployments");
        await().atMost(Duration.ofSeconds(30)).until(() -> names(robot).contains("web"));
        robot.interact(() -> {
            TableView<Row> t = table(robot);
            t.getSelectionModel().select(t.getItems().stream().filter(r -> r.name().equals("web")).findFirst().orElseThrow());
        });
        robot.clickOn("#action-edit");
        EditorController editor = window.currentEditor().orElseThrow();
        String yaml = editor.area().getText();
        assertThat(yaml).contains("name: web").doesNotContain("resourceVersion").doesNotContain("managedFields");

        String broken = yaml.replaceFirst("replicas: \\d+", "replicas: -3");
        robot.interact(() -> editor.area().replaceText(broken));
        robot.clickOn("#editor-validate");
        int line = (int) broken.lines().takeWhile(l -> !l.contains("replicas: -3")).count() + 1;
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(editor.problems())
                .anySatisfy(p -> {
                    assertThat(p.field()).isEqualTo("spec.replicas");
                    assertThat(p.line()).isEqualTo(line);
                }));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(fx(editor::statusText)).startsWith("The server rejects this object"));
        assertThat(cluster.client.apps().deployments().inNamespace("default").withName("web").get().getSpec().getReplicas())
                .isEqualTo(1);

        String fixed = broken.replace("replicas: -3", "replicas: 2");
        robot.interact(() -> editor.area().replaceText(fixed));
        robot.clickOn("#editor-validate");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(fx(editor::statusText)).startsWith("Valid");
            assertThat(fx(editor::problems)).isEmpty();
        });
        robot.clickOn("#editor-diff");
        await().atMost(Duration.ofSeconds(20)).until(() -> robot.lookup("#yaml-diff").tryQuery().isPresent()
                && robot.lookup("#yaml-diff").queryAs(org.fxmisc.richtext.CodeArea.class).getText().contains("+  replicas: 2"));
        robot.clickOn("#editor-apply");
        // spec.replicas belongs to the client that created the Deployment: server-side apply reports the
        // conflict, and the editor offers to take the field over
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(fx(editor::statusText)).contains("Apply and take over fields"));
        assertThat(cluster.client.apps().deployments().inNamespace("default").withName("web").get().getSpec().getReplicas())
                .isEqualTo(1);
        robot.clickOn("#editor-force");
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.client.apps().deployments().inNamespace("default")
                .withName("web").get().getSpec().getReplicas() == 2);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(fx(editor::statusText)).startsWith("Applied deployment/web"));
        assertThat(cluster.client.apps().deployments().inNamespace("default").withName("web").get().getMetadata()
                .getManagedFields()).anySatisfy(f -> assertThat(f.getManager()).isEqualTo(Apply.FIELD_MANAGER));
    }

    @Test
    void scalesADeploymentAndTheTableFollowsTheWatch(FxRobot robot) throws Exception {
        connected();
        robot.interact(() -> window.show(Kinds.DEPLOYMENT));
        await().atMost(Duration.ofSeconds(30)).until(() -> names(robot).contains("api"));
        robot.interact(() -> {
            TableView<Row> t = table(robot);
            t.getSelectionModel().select(t.getItems().stream().filter(r -> r.name().equals("api")).findFirst().orElseThrow());
        });
        robot.clickOn("#action-scale");
        robot.interact(() -> robot.lookup("#scale-replicas").queryAs(javafx.scene.control.TextField.class).selectAll());
        robot.clickOn("#scale-replicas");
        robot.interact(() -> robot.lookup("#scale-replicas").queryAs(javafx.scene.control.TextField.class).selectAll());
        robot.write("4").type(KeyCode.ENTER);
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.client.apps().deployments().inNamespace("default")
                .withName("api").get().getSpec().getReplicas() == 4);
        // the table follows the watch: the row shows the new desired count
        await().atMost(Duration.ofSeconds(20)).until(() -> fx(() -> table(robot).getItems().stream()
                .anyMatch(r -> r.name().equals("api") && r.cell(0).endsWith("/4"))));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(fx(window::message)).isEqualTo("Scaled deployment/api to 4 replicas"));
    }
    @Test
    void rollsADeploymentBackFromItsHistoryAndDrainsANode(FxRobot robot) throws Exception {
        connected();
        cluster.client.apps().deployments().inNamespace("default").resource(deployment("shop", "front", 1)).create();
        dev.berth.app.explorer.Rollouts rollouts = new dev.berth.app.explorer.Rollouts(cluster.client);
        await().atMost(Duration.ofSeconds(30)).until(() -> rollouts.history("Deployment", "default", "shop").size() == 1);
        cluster.client.apps().deployments().inNamespace("default").withName("shop").edit(d -> new DeploymentBuilder(d)
                .editSpec().editTemplate().editSpec().editFirstContainer().withImage("berth-test/busybox:2").endContainer()
                .endSpec().endTemplate().endSpec().build());
        await().atMost(Duration.ofSeconds(30)).until(() -> rollouts.history("Deployment", "default", "shop").size() == 2);

        robot.interact(() -> window.show(Kinds.DEPLOYMENT));
        await().atMost(Duration.ofSeconds(30)).until(() -> names(robot).contains("shop"));
        robot.interact(() -> {
            TableView<Row> t = table(robot);
            t.getSelectionModel().select(t.getItems().stream().filter(r -> r.name().equals("shop")).findFirst().orElseThrow());
        });
        robot.clickOn("#action-history");
        await().atMost(Duration.ofSeconds(20)).until(() -> robot.lookup("#rollout-history").tryQuery().isPresent());
        // the revision before the current one is chosen, as rollout undo would
        assertThat(fx(() -> ((TableView<?>) robot.lookup("#rollout-history").query()).getSelectionModel().getSelectedIndex())).isZero();
        robot.clickOn("Roll back");
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.client.apps().deployments().inNamespace("default")
                .withName("shop").get().getSpec().getTemplate().getSpec().getContainers().getFirst().getImage()
                .equals("berth-test/busybox:1"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(fx(window::message)).isEqualTo("deployment.apps/shop rolled back"));

        robot.interact(() -> window.show(Kinds.NODE));
        await().atMost(Duration.ofSeconds(30)).until(() -> names(robot).contains("sim-2"));
        robot.interact(() -> {
            TableView<Row> t = table(robot);
            t.getSelectionModel().select(t.getItems().stream().filter(r -> r.name().equals("sim-2")).findFirst().orElseThrow());
        });
        try {
            robot.clickOn("#action-drain");
            await().atMost(Duration.ofSeconds(20)).until(() -> robot.lookup("#drain-plan").tryQuery().isPresent());
            robot.clickOn("Drain");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(fx(window::message)).isEqualTo("node/sim-2 drained"));
            assertThat(cluster.client.nodes().withName("sim-2").get().getSpec().getUnschedulable()).isTrue();
            assertThat(cluster.client.pods().inAnyNamespace().withField("spec.nodeName", "sim-2").list().getItems())
                    .allMatch(p -> p.getMetadata().getDeletionTimestamp() != null);
        } finally {
            cluster.client.nodes().withName("sim-2").edit(n -> new io.fabric8.kubernetes.api.model.NodeBuilder(n)
                    .editSpec().withUnschedulable(null).endSpec().build());
        }
    }
    @Test
    void theAuditLogShowsEveryWriteAndFollowsNewOnes(FxRobot robot) throws Exception {
        connected();
        robot.interact(() -> window.show(MainWindow.AUDIT));
        await().atMost(Duration.ofSeconds(20)).until(() -> robot.lookup("#audit-table").tryQuery().isPresent());
        @SuppressWarnings("unchecked")
        TableView<dev.berth.app.audit.AuditController.Entry> audit = robot.lookup("#audit-table").queryAs(TableView.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> fx(() -> audit.getItems().stream()
                .anyMatch(e -> e.verb().equals("create") && e.object().equals("deployments.apps default/web") && e.code() == 201)));
        // a write made while the view is open appears without a reload
        cluster.client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("audited").endMetadata().addToData("k", "v").build()).create();
        await().atMost(Duration.ofSeconds(20)).until(() -> fx(() -> audit.getItems().stream()
                .anyMatch(e -> e.verb().equals("create") && e.object().equals("configmaps default/audited"))));
        robot.clickOn("#audit-filter").write("audited");
        await().atMost(Duration.ofSeconds(10)).until(() -> fx(() -> !audit.getItems().isEmpty()
                && audit.getItems().stream().allMatch(e -> e.object().contains("audited"))));
    }
}
