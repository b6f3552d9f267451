package dev.berth.agent.stream;

import dev.berth.agent.podworker.RunningPods;
import dev.berth.agent.server.AgentServer;
import dev.berth.agent.server.GetHandler;
import dev.berth.core.apiserver.TestApiServer;
import dev.berth.core.pki.CertifiedKey;
import dev.berth.core.testing.Kubectl;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * A real API server whose Node {@code node-1} points at a real {@link AgentServer} on 127.0.0.1,
 * serving pods from a {@link ProcessRuntime}; pod {@code default/web} (container {@code app},
 * runtime id {@code c-app}, pod IP 127.0.0.1) runs there.
 */
final class AgentFixture implements AutoCloseable {
    final TestApiServer api;
    final KubernetesClient client;
    final ProcessRuntime runtime = new ProcessRuntime();
    final AgentServer agent;
    final int agentPort;
    final CertifiedKey serving;
    final Path dir;
    final PodStreams streams;

    AgentFixture(Path dir) throws Exception {
        this.dir = dir;
        api = new TestApiServer(Files.createDirectories(dir.resolve("api")));
        serving = api.ca().issueServing(Set.of("localhost"), Set.of(InetAddress.getByName("127.0.0.1")), Duration.ofDays(1));
        streams = new PodStreams(runtime, runtime, Clock.systemUTC());
        agent = new AgentServer(new InetSocketAddress("127.0.0.1", 0), serving.certificatePem(), serving.privateKeyPem(),
                api.ca().certificatePem(), Map.of("/healthz", (path, query) -> GetHandler.Response.text(200, "ok")),
                streams);
        agentPort = agent.start().getPort();
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(api.kubeconfig()))).build();
        node("node-1", agentPort);
        pod("web", "node-1");
        runtime.addPod(new RunningPods.RunningPod("uid-web", "default", "web", "sandbox-web", "127.0.0.1", Map.of("app", "c-app")));
    }

    void node(String name, int port) {
        Node node = new NodeBuilder().withNewMetadata().withName(name).endMetadata().build();
        client.nodes().resource(node).create();
        Node withStatus = new NodeBuilder(client.nodes().withName(name).get()).withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress("127.0.0.1").endAddress()
                .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(port).endKubeletEndpoint().endDaemonEndpoints()
                .endStatus().build();
        client.nodes().resource(withStatus).updateStatus();
    }

    void pod(String name, String nodeName) {
        Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withNodeName(nodeName).addNewContainer().withName("app").withImage("busybox:1").endContainer()
                .endSpec().build();
        client.pods().inNamespace("default").resource(pod).create();
        Pod running = new PodBuilder(client.pods().inNamespace("default").withName(name).get())
                .editOrNewStatus().withPhase("Running").withPodIP("127.0.0.1").endStatus().build();
        client.pods().inNamespace("default").resource(running).updateStatus();
    }

    long served(String key) {
        return streams.upgradesServed().getOrDefault(key, 0L);
    }

    Kubectl kubectl() throws Exception {
        return new Kubectl(api.kubeconfig(), Files.createDirectories(dir.resolve("home")));
    }

    @Override
    public void close() {
        client.close();
        agent.close();
        api.close();
    }
}
