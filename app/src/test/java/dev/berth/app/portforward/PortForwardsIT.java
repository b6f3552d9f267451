package dev.berth.app.portforward;

import dev.berth.agent.podworker.RunningPods;
import dev.berth.agent.server.AgentServer;
import dev.berth.agent.server.GetHandler;
import dev.berth.agent.stream.PodStreams;
import dev.berth.agent.stream.ProcessRuntime;
import dev.berth.core.apiserver.TestApiServer;
import dev.berth.core.pki.CertifiedKey;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

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
    static TestApiServer api;
    static KubernetesClient client;
    static AgentServer agent;
    static ServerSocket echo;

    @BeforeAll
    static void start() throws Exception {
        api = new TestApiServer(Files.createDirectories(dir.resolve("api")));
        CertifiedKey serving = api.ca().issueServing(Set.of("localhost"), Set.of(InetAddress.getByName("127.0.0.1")), Duration.ofDays(1));
        ProcessRuntime runtime = new ProcessRuntime();
        agent = new AgentServer(new InetSocketAddress("127.0.0.1", 0), serving.certificatePem(), serving.privateKeyPem(),
                api.ca().certificatePem(), Map.of("/healthz", (path, query) -> GetHandler.Response.text(200, "ok")),
                new PodStreams(runtime, runtime, Clock.systemUTC()));
        int agentPort = agent.start().getPort();
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(api.kubeconfig()))).build();
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-1").endMetadata().build()).create();
        client.nodes().resource(new NodeBuilder(client.nodes().withName("node-1").get()).withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress("127.0.0.1").endAddress()
                .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(agentPort).endKubeletEndpoint().endDaemonEndpoints()
                .endStatus().build()).updateStatus();
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
        if (client != null) client.close();
        if (agent != null) agent.close();
        if (api != null) api.close();
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
