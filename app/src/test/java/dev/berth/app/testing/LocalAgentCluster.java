package dev.berth.app.testing;

import dev.berth.agent.server.AgentServer;
import dev.berth.agent.server.GetHandler;
import dev.berth.agent.stream.PodStreams;
import dev.berth.agent.stream.ProcessRuntime;
import dev.berth.core.apiserver.TestApiServer;
import dev.berth.core.pki.CertifiedKey;
import io.fabric8.kubernetes.api.model.NodeBuilder;
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
 * A real API server with one node, {@value #NODE}, whose agent stream server runs pods as local
 * processes ({@link ProcessRuntime}): logs, exec, attach and port-forward go from a client through
 * the API server to the agent as in a cluster, without Docker. Pods are the test's to create; their
 * containers become the runtime's with {@code runtime.addPod(...)}.
 */
public final class LocalAgentCluster implements AutoCloseable {
    public static final String NODE = "node-1";

    public final TestApiServer api;
    public final KubernetesClient client;
    public final ProcessRuntime runtime = new ProcessRuntime();
    public final AgentServer agent;

    public LocalAgentCluster(Path dir) throws Exception {
        api = new TestApiServer(Files.createDirectories(dir.resolve("api")));
        CertifiedKey serving = api.ca().issueServing(Set.of("localhost"), Set.of(InetAddress.getByName("127.0.0.1")), Duration.ofDays(1));
        agent = new AgentServer(new InetSocketAddress("127.0.0.1", 0), serving.certificatePem(), serving.privateKeyPem(),
                api.ca().certificatePem(), Map.of("/healthz", (path, query) -> GetHandler.Response.text(200, "ok")),
                new PodStreams(runtime, runtime, Clock.systemUTC()));
        int agentPort = agent.start().getPort();
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(api.kubeconfig()))).build();
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(NODE).endMetadata().build()).create();
        client.nodes().resource(new NodeBuilder(client.nodes().withName(NODE).get()).withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress("127.0.0.1").endAddress()
                .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(agentPort).endKubeletEndpoint().endDaemonEndpoints()
                .endStatus().build()).updateStatus();
    }

    @Override
    public void close() throws Exception {
        client.close();
        agent.close();
        api.close();
    }
}
