package dev.berth.agent.stream;

import dev.berth.core.testing.Kubectl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real kubectl v1.32 against a real API server whose node is a real agent server: logs,
 * exec (WebSocket and SPDY), attach and port-forward go through the API server's proxy to the
 * agent and into local processes.
 */
class PodStreamsKubectlIT {
    @TempDir
    static Path dir;
    static AgentFixture fx;
    static Kubectl kubectl;
    static ServerSocket echo;
    private static final Map<String, String> SPDY = Map.of("KUBECTL_REMOTE_COMMAND_WEBSOCKETS", "false",
            "KUBECTL_PORT_FORWARD_WEBSOCKETS", "false");

    @BeforeAll
    static void start() throws Exception {
        fx = new AgentFixture(dir);
        kubectl = fx.kubectl();
        fx.runtime.setLog("c-app", "one\ntwo\nthree\n");
        fx.runtime.setMainProcess("c-app", List.of("sh", "-c", "while read l; do echo attached:$l; done"));
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (Exception ignored) {
                            // the client went
                        }
                    });
                } catch (Exception e) {
                    return;
                }
            }
        });
    }

    @AfterAll
    static void stop() throws Exception {
        if (echo != null) echo.close();
        if (fx != null) fx.close();
    }

    @Test
    void logsReachKubectlWithTheOptionsItAskedFor() {
        var r = kubectl.run("logs", "web", "-c", "app", "--tail=2", "--timestamps").ok();
        assertThat(r.out()).isEqualTo("one\ntwo\nthree\n");
        var options = fx.runtime.logRequests.getLast();
        assertThat(options.tailLines()).isEqualTo(2);
        assertThat(options.timestamps()).isTrue();
        assertThat(options.follow()).isFalse();
    }

    @Test
    void logsStopAtTheByteLimit() {
        var r = kubectl.run("logs", "web", "--limit-bytes=5", "--since=1h").ok();
        assertThat(r.out()).isEqualTo("one\nt");
        assertThat(fx.runtime.logRequests.getLast().since()).isNotNull();
    }

    @Test
    void followedLogStreamsUntilTheContainerStops() throws Exception {
        fx.runtime.setLog("c-follow", "first line\n");
        fx.runtime.addPod(new dev.berth.agent.podworker.RunningPods.RunningPod("uid-f", "default", "follow",
                "s", "127.0.0.1", Map.of("app", "c-follow")));
        fx.pod("follow", "node-1");
        Process p = background(Map.of(), "logs", "-f", "follow");
        Path out = dir.resolve("follow.out");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(out).contains("first line"));
        assertThat(p.isAlive()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> fx.runtime.following("c-follow"));
        fx.runtime.stop("c-follow");
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void previousLogOfAContainerThatNeverRestartedIsAnError() {
        fx.runtime.addPod(new dev.berth.agent.podworker.RunningPods.RunningPod("uid-fresh", "default", "fresh",
                "s", "127.0.0.1", Map.of("app", "c-fresh")));
        fx.runtime.addContainer("c-fresh", "uid-fresh", "app", 0);
        fx.runtime.setLog("c-fresh", "now\n");
        fx.pod("fresh", "node-1");
        var r = kubectl.run("logs", "fresh", "--previous");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("previous terminated container \"app\" in pod \"fresh\" not found");
    }

    @Test
    void previousLogReadsTheContainerThisOneReplaced() {
        fx.runtime.addPod(new dev.berth.agent.podworker.RunningPods.RunningPod("uid-restarted", "default", "restarted",
                "s", "127.0.0.1", Map.of("app", "c-new")));
        fx.runtime.addContainer("c-new", "uid-restarted", "app", 2);
        fx.runtime.addContainer("c-older", "uid-restarted", "app", 0);
        fx.runtime.addContainer("c-old", "uid-restarted", "app", 1);
        fx.runtime.setLog("c-new", "after the restart\n");
        fx.runtime.setLog("c-old", "before the restart\n");
        fx.pod("restarted", "node-1");
        var r = kubectl.run("logs", "restarted", "--previous").ok();
        assertThat(r.out()).isEqualTo("before the restart\n");
    }

    @Test
    void execOverWebSocketCarriesStdoutAndStderr() {
        long before = fx.served("exec/websocket/v5.channel.k8s.io");
        var r = kubectl.run("exec", "web", "--", "sh", "-c", "echo out; echo err >&2").ok();
        assertThat(r.out()).isEqualTo("out\n");
        assertThat(r.err()).contains("err");
        assertThat(fx.served("exec/websocket/v5.channel.k8s.io")).isEqualTo(before + 1);
    }

    @Test
    void execExitCodeReachesKubectl() {
        var r = kubectl.run("exec", "web", "--", "sh", "-c", "exit 3");
        assertThat(r.exit()).as(r.err()).isEqualTo(3);
    }

    @Test
    void execStdinReachesTheProcess() {
        var r = kubectl.run("hello from stdin\n", Map.of(), "exec", "-i", "web", "--", "cat").ok();
        assertThat(r.out()).isEqualTo("hello from stdin\n");
    }

    @Test
    void ttyExecSendsTheTerminalSize() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")),
                "util-linux script gives kubectl a terminal");
        Path home = Files.createDirectories(dir.resolve("home-tty"));
        // the command runs until the test has seen the terminal size arrive, then answers
        Path go = dir.resolve("tty.go");
        String kubectlCmd = Kubectl.find() + " --kubeconfig=" + fx.api.kubeconfig()
                + " exec -it web -- sh -c 'while [ ! -e " + go + " ]; do sleep 0.05; done; echo tty-ok'";
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/script", "-qec", "stty cols 123 rows 45; " + kubectlCmd, "/dev/null")
                .redirectErrorStream(true).redirectOutput(dir.resolve("tty.out").toFile());
        pb.environment().put("HOME", home.toString());
        pb.environment().remove("KUBECONFIG");
        int resizesBefore = fx.runtime.resizes.size();
        Process p = pb.start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> fx.runtime.resizes.subList(resizesBefore,
                    fx.runtime.resizes.size()).stream().anyMatch(size -> size[0] == 123 && size[1] == 45));
            Files.createFile(go);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroy();
        }
        assertThat(Files.readString(dir.resolve("tty.out"))).contains("tty-ok");
        assertThat(fx.runtime.execTtys.getLast()).isTrue();
    }

    @Test
    void execOverSpdyCarriesOutputStdinAndTheExitCode() {
        long before = fx.served("exec/spdy/v4.channel.k8s.io");
        var r = kubectl.run("spdy stdin\n", SPDY, "exec", "-i", "web", "--", "sh", "-c", "cat; echo err >&2; exit 5");
        assertThat(r.exit()).as(r.err()).isEqualTo(5);
        assertThat(r.out()).isEqualTo("spdy stdin\n");
        assertThat(r.err()).contains("err");
        assertThat(fx.served("exec/spdy/v4.channel.k8s.io")).isEqualTo(before + 1);
    }

    @Test
    void attachConnectsToTheMainProcess() {
        var r = kubectl.run("ping\n", Map.of(), "attach", "-i", "web", "-c", "app").ok();
        assertThat(r.out()).contains("attached:ping");
    }

    @Test
    void attachOverSpdy() {
        long before = fx.served("attach/spdy/v4.channel.k8s.io");
        var r = kubectl.run("pong\n", SPDY, "attach", "-i", "web", "-c", "app").ok();
        assertThat(r.out()).contains("attached:pong");
        assertThat(fx.served("attach/spdy/v4.channel.k8s.io")).isEqualTo(before + 1);
    }

    @Test
    void portForwardTunnelsSpdyInWebSocketByDefault() throws Exception {
        long before = fx.served("portforward/websocket/" + PodStreams.SPDY_TUNNEL);
        forwardAndEcho(Map.of(), "pf-default");
        assertThat(fx.served("portforward/websocket/" + PodStreams.SPDY_TUNNEL)).isEqualTo(before + 1);
    }

    @Test
    void portForwardOverSpdy() throws Exception {
        long before = fx.served("portforward/spdy/portforward.k8s.io");
        forwardAndEcho(SPDY, "pf-spdy");
        assertThat(fx.served("portforward/spdy/portforward.k8s.io")).isEqualTo(before + 1);
    }

    private void forwardAndEcho(Map<String, String> env, String name) throws Exception {
        int local;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            local = free.getLocalPort();
        }
        Process p = background(env, name, "port-forward", "--address", "127.0.0.1", "pod/web",
                local + ":" + echo.getLocalPort());
        try {
            Path out = dir.resolve(name + ".out");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(out).contains("Forwarding from"));
            for (int i = 0; i < 2; i++) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), local)) {
                    s.setSoTimeout(20_000);
                    String msg = "hello " + i + "\n";
                    s.getOutputStream().write(msg.getBytes(StandardCharsets.UTF_8));
                    s.getOutputStream().flush();
                    byte[] back = s.getInputStream().readNBytes(msg.length());
                    assertThat(new String(back, StandardCharsets.UTF_8)).isEqualTo(msg);
                }
            }
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void podWithoutNodeIsAnErrorNamingThePod() {
        fx.client.pods().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata().withName("unbound").endMetadata().withNewSpec().addNewContainer().withName("app")
                .withImage("busybox:1").endContainer().endSpec().build()).create();
        var r = kubectl.run("logs", "unbound");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("pod unbound does not have a host assigned");
    }

    @Test
    void nodeThatDoesNotAnswerIsAnErrorNamingPodNodeAndAddress() throws Exception {
        int closed;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = free.getLocalPort();
        }
        fx.node("node-gone", closed);
        fx.pod("stranded", "node-gone");
        var r = kubectl.run("logs", "stranded");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("default/stranded").contains("node-gone").contains("127.0.0.1:" + closed);
    }

    @Test
    void nodeWithoutAgentEndpointAnswersServiceUnavailable() {
        fx.client.nodes().resource(new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata()
                .withName("node-bare").endMetadata().build()).create();
        fx.pod("bare", "node-bare");
        var r = kubectl.run("exec", "bare", "--", "true");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("pod bare: exec needs a node agent, and no node serves this pod");
    }

    @Test
    void attachOverWebSocketIsTheDefault() {
        long before = fx.served("attach/websocket/v5.channel.k8s.io");
        kubectl.run("again\n", Map.of(), "attach", "-i", "web", "-c", "app").ok();
        assertThat(fx.served("attach/websocket/v5.channel.k8s.io")).isEqualTo(before + 1);
    }

    @Test
    void fabric8ExecOverWebSocketV4GetsOutputAndExitCode() throws Exception {
        long before = fx.served("exec/websocket/v4.channel.k8s.io");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (var watch = fx.client.pods().inNamespace("default").withName("web").writingOutput(out)
                .exec("sh", "-c", "echo from fabric8; exit 2")) {
            assertThat(watch.exitCode().get(30, TimeUnit.SECONDS)).isEqualTo(2);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> out.toString(StandardCharsets.UTF_8).equals("from fabric8\n"));
        assertThat(fx.served("exec/websocket/v4.channel.k8s.io")).isEqualTo(before + 1);
    }

    @Test
    void fabric8PortForwardOverWebSocketV4() throws Exception {
        long before = fx.served("portforward/websocket/v4.channel.k8s.io");
        try (var forward = fx.client.pods().inNamespace("default").withName("web").portForward(echo.getLocalPort());
             Socket s = new Socket(InetAddress.getLoopbackAddress(), forward.getLocalPort())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write("via fabric8\n".getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            assertThat(new String(s.getInputStream().readNBytes(12), StandardCharsets.UTF_8)).isEqualTo("via fabric8\n");
        }
        assertThat(fx.served("portforward/websocket/v4.channel.k8s.io")).isEqualTo(before + 1);
    }

    /** kubectl in the background, output to DIR/NAME.out (the first arg is the name unless it is a verb). */
    private static Process background(Map<String, String> env, String... args) throws Exception {
        String name = args[0].equals("logs") ? "follow" : args[0];
        List<String> rest = new ArrayList<>(List.of(args));
        if (!args[0].equals("logs")) {
            rest.removeFirst();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Kubectl.find().toString());
        cmd.add("--kubeconfig=" + fx.api.kubeconfig());
        cmd.addAll(rest);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".out").toFile());
        pb.environment().put("HOME", Files.createDirectories(dir.resolve("home-" + name)).toString());
        pb.environment().remove("KUBECONFIG");
        pb.environment().putAll(env);
        return pb.start();
    }
}
