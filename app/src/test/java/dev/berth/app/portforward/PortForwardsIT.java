package dev.berth.app.portforward;

import dev.berth.agent.podworker.RunningPods;
import dev.berth.agent.stream.ProcessRuntime;
import dev.berth.app.testing.LocalAgentCluster;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Port-forwards through a real API server's {@code pods/portforward} subresource to a real agent
 * stream server (its pod runs as a local process, pod IP 127.0.0.1), where an echo server listens.
 */
class PortForwardsIT {
    @TempDir
    static Path dir;
    static LocalAgentCluster cluster;
    static ProcessRuntime runtime;
    static KubernetesClient client;
    static ServerSocket echo;

    @BeforeAll
    static void start() throws Exception {
        cluster = new LocalAgentCluster(dir);
        client = cluster.client;
        runtime = cluster.runtime;
        echo = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread.ofVirtual().start(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // the client went
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        Pod pod = new PodBuilder().withNewMetadata().withName("web-1").withNamespace("default").addToLabels("app", "web").endMetadata()
                .withNewSpec().withNodeName("node-1").addNewContainer().withName("app").withImage("berth-test/busybox:1")
                .addNewPort().withName("echo").withContainerPort(echo.getLocalPort()).endPort().endContainer().endSpec().build();
        client.pods().inNamespace("default").resource(pod).create();
        client.pods().inNamespace("default").resource(new PodBuilder(client.pods().inNamespace("default").withName("web-1").get())
                .editOrNewStatus().withPhase("Running").withPodIP("127.0.0.1").addNewCondition().withType("Ready").withStatus("True")
                .endCondition().endStatus().build()).updateStatus();
        runtime.addPod(new RunningPods.RunningPod("uid-web", "default", "web-1", "sandbox-web", "127.0.0.1", Map.of("app", "c-app")));
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().addToSelector("app", "web").addNewPort().withName("echo").withPort(80)
                .withTargetPort(new IntOrString("echo")).endPort().endSpec().build()).create();
    }

    @AfterAll
    static void stop() throws Exception {
        if (echo != null) echo.close();
        if (cluster != null) cluster.close();
    }

    static String exchange(Socket s, String message) throws IOException {
        s.setSoTimeout(20_000);
        s.getOutputStream().write(message.getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        return new String(s.getInputStream().readNBytes(message.length()), StandardCharsets.UTF_8);
    }

    @Test
    void forwardsToAPodThroughTheApiServerCountingBytesAndConnections() throws Exception {
        try (PortForwards forwards = new PortForwards(new Fabric8Tunnels(client))) {
            PortForward f = forwards.start(new ForwardTarget("Pod", "default", "web-1", echo.getLocalPort()), null);
            for (int i = 0; i < 2; i++) {
                try (Socket s = new Socket(InetAddress.getByName("127.0.0.1"), f.localPort())) {
                    assertThat(exchange(s, "hello " + i + "\n")).isEqualTo("hello " + i + "\n");
                }
            }
            assertThat(f.totalConnections()).isEqualTo(2);
            assertThat(f.bytesSent()).isEqualTo(16);
            await().atMost(Duration.ofSeconds(20)).until(() -> f.bytesReceived() == 16 && f.activeConnections() == 0);
            assertThat(f.lastError()).isEmpty();
        }
    }

    @Test
    void aServiceGoesToItsReadyPodOnTheNamedTargetPort() throws Exception {
        Fabric8Tunnels tunnels = new Fabric8Tunnels(client);
        assertThat(tunnels.resolve(new ForwardTarget("Service", "default", "web", 80)))
                .isEqualTo(new Fabric8Tunnels.PodPort("default", "web-1", echo.getLocalPort()));
        assertThatThrownBy(() -> tunnels.resolve(new ForwardTarget("Service", "default", "web", 81)))
                .hasMessage("service default/web has no port 81 (its ports: [80])");
        assertThatThrownBy(() -> tunnels.resolve(new ForwardTarget("Service", "default", "nothing", 80)))
                .hasMessage("service default/nothing not found");
        try (PortForwards forwards = new PortForwards(tunnels)) {
            PortForward f = forwards.start(new ForwardTarget("Service", "default", "web", 80), null);
            try (Socket s = new Socket(InetAddress.getByName("127.0.0.1"), f.localPort())) {
                assertThat(exchange(s, "via the service\n")).isEqualTo("via the service\n");
            }
        }
    }
}
