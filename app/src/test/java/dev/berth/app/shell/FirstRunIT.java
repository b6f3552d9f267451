package dev.berth.app.shell;

import io.fabric8.kubernetes.api.model.Node;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The first-run question on a real embedded control plane without nodes: answered with simulated
 * nodes, they register and become Ready; the answer is remembered, so the next start asks nothing
 * and brings the simulated nodes back.
 */
@ExtendWith(ApplicationExtension.class)
class FirstRunIT {
    @TempDir
    static Path dir;
    static DesktopFixture cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new DesktopFixture(dir, 0);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private List<String> readyNodes() {
        return cluster.client.nodes().list().getItems().stream()
                .filter(n -> n.getStatus() != null && n.getStatus().getConditions() != null && n.getStatus().getConditions().stream()
                        .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True")))
                .map(Node::getMetadata).map(m -> m.getName()).sorted().toList();
    }

    private MainWindow open(FxRobot robot, List<Boolean> asked, Optional<FirstRun.Choice> answer) {
        AtomicReference<MainWindow> w = new AtomicReference<>();
        robot.interact(() -> {
            MainWindow window = new MainWindow(new Stage(), cluster.appContext());
            window.closeQuestion(why -> MainWindow.CloseChoice.STOP);
            window.offerFirstRun(true);
            window.firstRunQuestion(dockerUsable -> {
                asked.add(dockerUsable);
                return answer;
            });
            window.show();
            w.set(window);
        });
        return w.get();
    }

    @Test
    void simulatedNodesChosenOnTheFirstRunRunNowAndComeBackAtTheNextStart(FxRobot robot) throws Exception {
        List<Boolean> asked = new CopyOnWriteArrayList<>();
        MainWindow first = open(robot, asked, Optional.of(new FirstRun.Choice(FirstRun.Kind.SIMULATED_NODES, 2)));
        try {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(readyNodes()).containsExactly("sim-0", "sim-1"));
            assertThat(asked).hasSize(1);
            assertThat(first.simulatedNodes()).isPresent();
            assertThat(Files.readString(dir.resolve("app.properties")))
                    .contains("firstRun.done=true").contains("simulatedNodes=2");
        } finally {
            robot.interact(() -> first.close(MainWindow.CloseChoice.STOP));
        }
        assertThat(first.simulatedNodes()).as("closing the window stops its simulated nodes").isEmpty();

        java.time.Instant reopened = java.time.Instant.now();
        List<Boolean> askedAgain = new CopyOnWriteArrayList<>();
        MainWindow second = open(robot, askedAgain, Optional.of(new FirstRun.Choice(FirstRun.Kind.LATER, 0)));
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> second.simulatedNodes().isPresent());
            // the nodes are back: their heartbeats go on after the restart
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                var lease = cluster.client.leases().inNamespace("kube-node-lease").withName("sim-1").get();
                return lease != null && lease.getSpec().getRenewTime() != null
                        && java.time.Instant.parse(lease.getSpec().getRenewTime().toString()).isAfter(reopened);
            });
            assertThat(readyNodes()).containsExactly("sim-0", "sim-1");
            assertThat(askedAgain).as("the question is asked once").isEmpty();
        } finally {
            robot.interact(() -> second.close(MainWindow.CloseChoice.STOP));
        }
    }
}
