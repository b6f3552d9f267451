package dev.berth.app.terminal;

import dev.berth.agent.podworker.RunningPods;
import dev.berth.agent.stream.ProcessRuntime;
import dev.berth.app.fx.FxTasks;
import dev.berth.app.testing.LocalAgentCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import javafx.scene.Scene;
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
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The terminal tab, driven with TestFX (headless), over a real exec: a real API server's
 * {@code pods/exec} subresource to a real agent stream server whose pod runs as local processes.
 * That runtime has no pty (no line discipline turns Enter's CR into a line feed), so lines are
 * sent through the terminal's input path ended with a line feed.
 */
@ExtendWith(ApplicationExtension.class)
class TerminalViewIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @TempDir
    static Path dir;
    static LocalAgentCluster cluster;
    static KubernetesClient client;
    static ProcessRuntime runtime;
    TerminalView view;
    FxTasks tasks;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new LocalAgentCluster(dir);
        client = cluster.client;
        runtime = cluster.runtime;
        Pod pod = new PodBuilder().withNewMetadata().withName("shell-1").withNamespace("default").endMetadata()
                .withNewSpec().withNodeName("node-1").addNewContainer().withName("app").withImage("berth-test/busybox:1").endContainer()
                .endSpec().build();
        client.pods().inNamespace("default").resource(pod).create();
        client.pods().inNamespace("default").resource(new PodBuilder(client.pods().inNamespace("default").withName("shell-1").get())
                .editOrNewStatus().withPhase("Running").withPodIP("127.0.0.1").endStatus().build()).updateStatus();
        runtime.addPod(new RunningPods.RunningPod("uid-shell", "default", "shell-1", "sandbox-shell", "127.0.0.1", Map.of("app", "c-app")));
    }

    @AfterAll
    static void stopCluster() throws Throwable {
        if (cluster != null) cluster.close();
        // closed terminals leave no timer behind that would fail on the FX thread once they are
        // collected (the tests after this one in the same JVM would see it)
        System.gc();
        for (int i = 0; i < 20; i++) {
            WaitForAsyncUtils.waitForFxEvents();
        }
        WaitForAsyncUtils.checkException();
    }

    @Start
    void start(Stage stage) {
        tasks = FxTasks.onFxThread();
        view = new TerminalView(tasks, "shell-1/app",
                command -> Fabric8Exec.open(client, "default", "shell-1", "app", command));
        stage.setScene(new Scene(new javafx.scene.layout.StackPane(view.view()), 900, 500));
        stage.show();
    }

    @AfterEach
    void closeView(FxRobot robot) throws Exception {
        robot.interact(view::close);
        tasks.close();
    }

    static <T> T fx(Callable<T> read) throws Exception {
        return WaitForAsyncUtils.asyncFx(read).get(10, TimeUnit.SECONDS);
    }

    String screen() throws Exception {
        return fx(() -> view.widget().map(w -> {
            var buffer = w.getTerminalTextBuffer();
            buffer.lock();
            try {
                return buffer.getScreenLines();
            } finally {
                buffer.unlock();
            }
        }).orElse(""));
    }

    /** A line entered through the terminal's own input path (what its key handler sends), ended with a line feed. */
    void typeLine(FxRobot robot, String line) throws Exception {
        robot.interact(() -> view.widget().orElseThrow().getTerminalStarter().sendString(line + "\n", true));
    }

    @Test
    void typedCommandsRunInTheContainerAndTheSessionEndsWithItsExitCode(FxRobot robot) throws Exception {
        robot.interact(view::connect);
        await().atMost(WAIT).until(() -> view.connector().isPresent() && fx(view::status).startsWith("Connected"));
        assertThat(fx(view::status)).isEqualTo("Connected: /bin/sh");

        typeLine(robot, "echo hello");
        await().atMost(WAIT).until(() -> screen().lines().anyMatch(l -> l.strip().equals("hello")));
        // the terminal's size went through the exec's resize channel
        await().atMost(WAIT).until(() -> !runtime.resizes.isEmpty());
        assertThat(runtime.resizes.getLast()[0]).isPositive();

        typeLine(robot, "printf 'caf\\303\\251\\n'");
        await().atMost(WAIT).until(() -> screen().contains("café"));

        typeLine(robot, "exit 3");
        await().atMost(WAIT).until(() -> view.exitCode().isPresent());
        assertThat(view.exitCode().getAsInt()).isEqualTo(3);
        assertThat(fx(view::status)).isEqualTo("Session ended (exit code 3)");
        assertThat(fx(() -> view.connectButton().getText())).isEqualTo("Reconnect");
        assertThat(fx(() -> view.connectButton().isDisabled())).isFalse();

        // Reconnect with another command
        ExecTtyConnector first = view.connector().orElseThrow();
        robot.interact(() -> view.commandField().setText("sh -c 'echo again; exec sh'"));
        robot.clickOn("#terminal-connect");
        await().atMost(WAIT).until(() -> view.connector().isPresent() && view.connector().get() != first
                && screen().contains("again"));
        assertThat(first.isClosed()).isTrue();
        ExecTtyConnector second = view.connector().orElseThrow();
        robot.interact(view::close);
        assertThat(second.isClosed()).isTrue();
        assertThat(second.isConnected()).isFalse();
    }

    @Test
    void anEmptyCommandIsRefusedWithTheRule(FxRobot robot) throws Exception {
        robot.interact(() -> view.commandField().setText("   "));
        robot.interact(view::connect);
        assertThat(fx(view::status)).isEqualTo("command: Required value: a command to run in the container, such as /bin/sh");
        assertThat(view.connector()).isEmpty();
    }
}
