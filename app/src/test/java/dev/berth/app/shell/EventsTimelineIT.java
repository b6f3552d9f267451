package dev.berth.app.shell;

import dev.berth.app.cluster.Kinds;
import dev.berth.app.events.Notification;
import dev.berth.app.events.TimelineEntry;
import io.fabric8.kubernetes.api.model.PodBuilder;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
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

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.berth.app.shell.DesktopAppIT.fx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The events timeline and notifications against a real embedded control plane with simulated
 * nodes: a node that stops reporting goes NotReady (node lifecycle marks it), a pod whose node
 * selector matches no node fails scheduling; each is notified once (badge, list, toast), is on the
 * timeline, and choosing the notification selects the object in its table.
 */
@ExtendWith(ApplicationExtension.class)
class EventsTimelineIT {
    @TempDir
    static Path dir;
    static DesktopFixture cluster;
    MainWindow window;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new DesktopFixture(dir, 3);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
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

    private List<Notification> notifications() throws Exception {
        return fx(() -> window.notifications().notifications());
    }

    private List<TimelineEntry> shown() throws Exception {
        return fx(() -> window.events().shown());
    }

    @Test
    void aNodeGoingNotReadyAndAPodFailingSchedulingAreNotifiedOnceAndOnTheTimeline(FxRobot robot) throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> window.session() != null && window.events() != null);
        robot.interact(() -> window.show(MainWindow.TIMELINE));
        // every node's registration is on the timeline, from the first list
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(shown())
                .filteredOn(e -> e.reason().equals("RegisteredNode")).extracting(TimelineEntry::name)
                .containsExactlyInAnyOrder("sim-0", "sim-1", "sim-2"));
        assertThat(notifications()).isEmpty();

        cluster.nodes.stop("sim-2");
        cluster.client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("stuck").endMetadata()
                .withNewSpec().addToNodeSelector("disktype", "none").addNewContainer().withName("app")
                .withImage("berth-test/busybox:1").endContainer().endSpec().build()).create();

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(notifications())
                .extracting(Notification::reason, Notification::kind, Notification::namespace, Notification::name)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(Notification.NODE_NOT_READY, "Node", "", "sim-2"),
                        org.assertj.core.groups.Tuple.tuple(Notification.FAILED_SCHEDULING, "Pod", "default", "stuck")));
        assertThat(robot.lookup("#notifications-badge").queryAs(Label.class).getText()).isEqualTo("2");
        assertThat(robot.lookup("#toast").queryAs(Label.class).isVisible()).isTrue();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<TimelineEntry> entries = shown();
            assertThat(entries).anySatisfy(e -> {
                assertThat(e.category()).isEqualTo(TimelineEntry.Category.NODE);
                assertThat(e.reason()).isEqualTo("NodeNotReady");
                assertThat(e.name()).isEqualTo("sim-2");
                assertThat(e.severity()).isEqualTo(TimelineEntry.Severity.WARNING);
            });
            assertThat(entries).anySatisfy(e -> {
                assertThat(e.category()).isEqualTo(TimelineEntry.Category.EVENT);
                assertThat(e.reason()).isEqualTo("FailedScheduling");
                assertThat(e.object()).isEqualTo("Pod default/stuck");
                assertThat(e.severity()).isEqualTo(TimelineEntry.Severity.WARNING);
            });
        });

        // filters: by object text, then by severity
        robot.interact(() -> robot.lookup("#events-filter").queryAs(TextField.class).setText("stuck"));
        assertThat(shown()).isNotEmpty().allSatisfy(e -> assertThat(e.object()).contains("stuck"));
        robot.interact(() -> {
            robot.lookup("#events-filter").queryAs(TextField.class).clear();
            @SuppressWarnings("unchecked")
            ChoiceBox<String> severity = robot.lookup("#events-severity").queryAs(ChoiceBox.class);
            severity.setValue("Normal");
        });
        assertThat(shown()).isNotEmpty().allSatisfy(e -> assertThat(e.severity()).isEqualTo(TimelineEntry.Severity.NORMAL))
                .anySatisfy(e -> assertThat(e.reason()).isEqualTo("RegisteredNode"));
        // zooming into the last minute still shows what just happened; the registrations before it drop out
        robot.interact(() -> window.events().setWindow(Duration.ofSeconds(30), null));
        robot.interact(() -> robot.lookup("#events-severity").queryAs(ChoiceBox.class).setValue("Warning"));
        assertThat(shown()).extracting(TimelineEntry::reason).contains("NodeNotReady").doesNotContain("RegisteredNode");

        // the pod keeps failing (the scheduler retries): still one notification per object
        await().atMost(Duration.ofSeconds(30)).until(() -> fx(() -> window.events().entries().stream()
                .filter(e -> e.reason().equals("FailedScheduling") || e.reason().equals("NodeNotReady")).count() >= 2));
        assertThat(notifications()).hasSize(2);

        // choosing a notification selects its object in its table
        robot.clickOn("#notifications-button");
        await().atMost(Duration.ofSeconds(10)).until(() -> fx(() -> window.notifications().isListShowing()));
        assertThat(robot.lookup("#notifications-badge").queryAs(Label.class).isVisible()).isFalse();
        robot.clickOn(robot.lookup(".list-cell").match(n -> n instanceof javafx.scene.control.ListCell<?> c
                && c.getItem() instanceof Notification note && note.name().equals("stuck")).<javafx.scene.Node>query());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(fx(() -> window.explorer().kind())).isEqualTo(Kinds.POD);
            assertThat(fx(() -> window.explorer().table().getSelectionModel().getSelectedItem() == null ? null
                    : window.explorer().table().getSelectionModel().getSelectedItem().key())).isEqualTo("default/stuck");
        });
    }
}
