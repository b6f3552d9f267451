package dev.berth.app.nodes;

import dev.berth.app.explorer.Row;
import dev.berth.app.portforward.PortForward;
import dev.berth.app.shell.DesktopFixture;
import dev.berth.app.shell.MainWindow;
import dev.berth.core.pki.Kubeconfig;
import dev.berth.core.provision.BundleBuilder;
import dev.berth.core.provision.CheckResult;
import dev.berth.core.provision.KnownHosts;
import dev.berth.core.provision.Preflight;
import dev.berth.core.provision.ProgressListener;
import dev.berth.core.provision.RemoteLayout;
import dev.berth.core.provision.TestSshServer;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The node wizard and the port-forward list, driven with TestFX (headless) against a real embedded
 * control plane with simulated nodes and an in-process SSH server (core's test fixture) whose
 * commands run on this machine, with Docker hidden from the PATH so that a preflight check fails.
 */
@ExtendWith(ApplicationExtension.class)
class NodeWizardIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @TempDir
    static Path dir;
    static DesktopFixture cluster;
    static Path bundleDir;
    TestSshServer sshd;
    Path keyFile;
    Path userKnownHosts;
    Path berthKnownHosts;
    MainWindow window;
    final List<URI> opened = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new DesktopFixture(Files.createDirectories(dir.resolve("cluster")), 1);
        bundleDir = Files.createDirectories(dir.resolve("bundles"));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void startSsh() throws Exception {
        Path own = Files.createDirectories(dir.resolve("t-" + System.nanoTime()));
        sshd = new TestSshServer();
        KeyPair key = TestSshServer.newKeyPair();
        sshd.authorize(key.getPublic());
        keyFile = TestSshServer.writeKey(key, own.resolve("id_test"), "s3cret phrase");
        userKnownHosts = own.resolve("known_hosts");
        berthKnownHosts = own.resolve("berth_known_hosts");
        sshd.commandPrefix(List.of("/usr/bin/env", "PATH=" + pathWithout(own, "docker", "dockerd")));
    }

    @AfterEach
    void stop(FxRobot robot) {
        robot.interact(() -> window.close(MainWindow.CloseChoice.STOP));
        sshd.close();
    }

    /** A PATH with every tool of this machine but {@code hidden}. */
    static String pathWithout(Path own, String... hidden) throws Exception {
        Path bin = Files.createDirectories(own.resolve("bin"));
        for (String d : List.of("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
            Path dirPath = Path.of(d);
            if (!Files.isDirectory(dirPath)) continue;
            try (var tools = Files.list(dirPath)) {
                for (Path t : tools.toList()) {
                    String name = t.getFileName().toString();
                    if (List.of(hidden).contains(name) || Files.exists(bin.resolve(name), java.nio.file.LinkOption.NOFOLLOW_LINKS)) continue;
                    Files.createSymbolicLink(bin.resolve(name), t);
                }
            }
        }
        return bin.toString();
    }

    NodeJob.Environment environment(dev.berth.app.cluster.ClusterSession s) {
        try {
            return new NodeJob.Environment(s.client(), Kubeconfig.read(s.connection().kubeconfig()),
                    new KnownHosts(userKnownHosts, berthKnownHosts), RemoteLayout.under(dir.resolve("host").toString()),
                    progress -> {
                        Path classes = Files.createDirectories(bundleDir.resolve("classes"));
                        Files.writeString(classes.resolve("marker.txt"), "a tiny bundle");
                        return new BundleBuilder("0.0.1-test", List.of(classes)).build(bundleDir, ProgressListener.NONE);
                    },
                    Duration.ofSeconds(5), Duration.ofSeconds(30), 10250, Duration.ofSeconds(30), Clock.systemUTC());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Start
    void start(Stage stage) {
        window = new MainWindow(stage, cluster.appContext());
        window.closeQuestion(why -> MainWindow.CloseChoice.STOP);
        window.nodeEnvironment(this::environment);
        window.browser(opened::add);
        window.show();
    }

    static <T> T fx(Callable<T> read) throws Exception {
        return org.testfx.util.WaitForAsyncUtils.asyncFx(read).get(10, TimeUnit.SECONDS);
    }

    private void connected() {
        await().atMost(WAIT).until(() -> window.session() != null && window.explorer() != null);
    }

    private static String text(FxRobot robot, String id) {
        return robot.lookup(id).queryAs(Label.class).getText();
    }

    private static boolean disabled(FxRobot robot, String id) throws Exception {
        return fx(() -> robot.lookup(id).queryAs(Button.class).isDisabled());
    }

    private void openNodes(FxRobot robot) throws Exception {
        connected();
        robot.interact(() -> window.show(dev.berth.app.cluster.Kinds.builtIn().stream()
                .filter(k -> k.kind().equals("Node")).findFirst().orElseThrow()));
        await().atMost(WAIT).until(() -> fx(() -> robot.lookup("#action-add-node").queryAs(Button.class).isVisible()));
    }

    private void set(FxRobot robot, String id, String value) {
        robot.interact(() -> robot.lookup(id).queryAs(javafx.scene.control.TextInputControl.class).setText(value));
    }

    @Test
    void addsAMachineThroughHostKeyConfirmationAndShowsThePreflightWithRemedies(FxRobot robot) throws Exception {
        openNodes(robot);
        robot.clickOn("#action-add-node");
        await().atMost(WAIT).until(() -> window.currentNodeWizard().isPresent());

        // the form is checked as typed: the field, the value and the rule
        robot.clickOn("#node-host").write("127.0.0.1");
        set(robot, "#node-user", "root");
        set(robot, "#node-port", "99999");
        set(robot, "#node-key", keyFile.toString());
        set(robot, "#node-name", "lab-node-1");
        set(robot, "#node-labels", "room=b12");
        set(robot, "#node-taints", "lab/gpu:NoSchedule");
        assertThat(text(robot, "#node-problems")).isEqualTo("port: Invalid value: 99999: must be between 1 and 65535");
        assertThat(disabled(robot, "#node-check")).isTrue();
        set(robot, "#node-port", String.valueOf(sshd.port()));
        assertThat(text(robot, "#node-problems")).isEmpty();
        assertThat(disabled(robot, "#node-check")).isFalse();
        assertThat(disabled(robot, "#node-run")).isTrue();   // not before the machine was checked

        // unknown host key: its SHA256 fingerprint is shown, nothing goes on until it is trusted
        robot.clickOn("#node-check");
        await().atMost(WAIT).until(() -> robot.lookup("#host-key-fingerprint").tryQuery().isPresent());
        String expected = KnownHosts.fingerprint(sshd.hostKey().getPublic());
        assertThat(expected).startsWith("SHA256:");
        assertThat(text(robot, "#host-key-fingerprint")).isEqualTo(expected);
        assertThat(sshd.commands).isEmpty();
        robot.clickOn("#host-key-accept");

        // the key's passphrase is asked, then the preflight runs
        await().atMost(WAIT).until(() -> robot.lookup("#secret-field").tryQuery().isPresent());
        robot.clickOn("#secret-field").write("s3cret phrase");
        robot.clickOn("#secret-ok");

        @SuppressWarnings("unchecked")
        ListView<CheckResult> list = robot.lookup("#node-preflight").queryAs(ListView.class);
        await().atMost(Duration.ofSeconds(60)).until(() -> fx(() -> list.getItems().size()) > 5);
        List<CheckResult> results = fx(() -> List.copyOf(list.getItems()));
        CheckResult docker = results.stream().filter(r -> r.name().equals(Preflight.DOCKER)).findFirst().orElseThrow();
        assertThat(docker.status()).isEqualTo(CheckResult.Status.FAIL);
        assertThat(docker.remedy()).contains("apt-get install docker.io");
        assertThat(results).filteredOn(r -> r.name().equals(Preflight.TOOLS)).singleElement()
                .extracting(CheckResult::status).isEqualTo(CheckResult.Status.OK);
        // each failed check shows its remedy under it
        robot.interact(() -> list.scrollTo(docker));
        await().atMost(WAIT).until(() -> robot.lookup(".remedy").queryAll().stream()
                .map(n -> ((Label) n).getText()).anyMatch(t -> t.equals("Fix: " + docker.remedy())));
        await().atMost(WAIT).until(() -> text(robot, "#node-result").contains("check(s) failed"));
        assertThat(disabled(robot, "#node-run")).isTrue();
        // trusting the key recorded it in Berth's known_hosts
        assertThat(Files.readString(berthKnownHosts)).contains(sshd.knownHostsLine().split(" ")[2]);
        assertThat(text(robot, "#node-step")).isNotEmpty();
    }

    @Test
    void aChangedHostKeyIsRefusedLoudly(FxRobot robot) throws Exception {
        Files.writeString(userKnownHosts, TestSshServer.knownHostsLine(sshd.port(), TestSshServer.newKeyPair().getPublic()) + "\n");
        openNodes(robot);
        robot.interact(() -> window.openNodeWizard(NodeWizard.Mode.ADD, null));
        set(robot, "#node-host", "127.0.0.1");
        set(robot, "#node-user", "root");
        set(robot, "#node-port", String.valueOf(sshd.port()));
        set(robot, "#node-key", keyFile.toString());
        robot.clickOn("#node-check");
        await().atMost(WAIT).until(() -> robot.lookup("#host-key-changed").tryQuery().isPresent());
        assertThat(text(robot, "#node-result")).contains("HAS CHANGED").contains(userKnownHosts.toString());
        assertThat(robot.lookup("#host-key-fingerprint").tryQuery()).isEmpty();
        assertThat(fx(() -> robot.lookup("#node-preflight").queryAs(ListView.class).getItems().isEmpty())).isTrue();
        assertThat(sshd.commands).isEmpty();
        robot.interact(() -> robot.lookup("#host-key-changed").query().getScene().getWindow().hide());
    }

    @Test
    void removesAGoneMachinesNodeAfterConfirmation(FxRobot robot) throws Exception {
        cluster.client.nodes().resource(new NodeBuilder().withNewMetadata().withName("old-box").endMetadata()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress("10.9.8.7").endAddress().endStatus().build())
                .create();
        openNodes(robot);
        @SuppressWarnings("unchecked")
        TableView<Row> table = robot.lookup("#explorer-table").queryAs(TableView.class);
        await().atMost(WAIT).until(() -> fx(() -> table.getItems().stream().anyMatch(r -> r.name().equals("old-box"))));
        robot.interact(() -> table.getItems().stream().filter(r -> r.name().equals("old-box")).findFirst()
                .ifPresent(r -> table.getSelectionModel().select(r)));
        robot.clickOn("#action-remove-node");
        await().atMost(WAIT).until(() -> window.currentNodeWizard().isPresent());
        assertThat(fx(() -> robot.lookup("#node-host").queryAs(TextField.class).getText())).isEqualTo("10.9.8.7");
        assertThat(fx(() -> robot.lookup("#node-name").queryAs(TextField.class).getText())).isEqualTo("old-box");
        robot.clickOn("#node-machine-gone");
        robot.clickOn("#node-run");
        await().atMost(WAIT).until(() -> robot.lookup("#node-remove-confirm").tryQuery().isPresent());
        robot.clickOn("#node-remove-confirm");
        await().atMost(WAIT).until(() -> cluster.client.nodes().withName("old-box").get() == null);
        await().atMost(WAIT).until(() -> text(robot, "#node-result").equals("Node old-box is removed."));
    }

    @Test
    void startsListsOpensAndStopsAPortForwardFromAPod(FxRobot robot) throws Exception {
        cluster.client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("web-0").endMetadata()
                .withNewSpec().withNodeName("sim-0").addNewContainer().withName("web").withImage("berth-test/busybox:1")
                .addNewPort().withName("http").withContainerPort(8080).endPort().endContainer().endSpec().build()).create();
        connected();
        robot.interact(() -> window.show(dev.berth.app.cluster.Kinds.builtIn().stream()
                .filter(k -> k.kind().equals("Pod")).findFirst().orElseThrow()));
        @SuppressWarnings("unchecked")
        TableView<Row> table = robot.lookup("#explorer-table").queryAs(TableView.class);
        await().atMost(WAIT).until(() -> fx(() -> table.getItems().stream().anyMatch(r -> r.name().equals("web-0"))));
        robot.interact(() -> table.getItems().stream().filter(r -> r.name().equals("web-0")).findFirst()
                .ifPresent(r -> table.getSelectionModel().select(r)));
        robot.clickOn("#action-port-forward");
        await().atMost(WAIT).until(() -> robot.lookup("#pf-start").tryQuery().isPresent());
        assertThat(fx(() -> robot.lookup("#pf-remote-port").queryAs(javafx.scene.control.ComboBox.class).getItems()))
                .containsExactly("8080 (http)");
        robot.clickOn("#pf-local-port").write("http");
        robot.clickOn("#pf-start");
        assertThat(text(robot, "#pf-error")).contains("local port: Invalid value: \"http\"");
        robot.interact(() -> robot.lookup("#pf-local-port").queryAs(TextField.class).clear());
        robot.clickOn("#pf-start");

        await().atMost(WAIT).until(() -> window.portForwardsView() != null
                && fx(() -> window.portForwardsView().table().getItems().size()) == 1);
        PortForward f = fx(() -> window.portForwardsView().table().getItems().getFirst());
        assertThat(f.target().describe()).isEqualTo("default/pod/web-0:8080");
        assertThat(f.status()).isEqualTo(PortForward.Status.LISTENING);
        assertThat(window.message()).isEqualTo("Forwarding 127.0.0.1:" + f.localPort() + " to default/pod/web-0:8080");
        robot.clickOn("#pf-open");
        await().atMost(WAIT).until(() -> opened.contains(URI.create("http://127.0.0.1:" + f.localPort() + "/")));
        robot.clickOn("#pf-stop");
        await().atMost(WAIT).until(() -> f.status() == PortForward.Status.STOPPED);
        assertThat(disabled(robot, "#pf-open")).isTrue();
    }
}
