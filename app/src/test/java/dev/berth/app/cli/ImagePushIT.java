package dev.berth.app.cli;

import dev.berth.agent.Agent;
import dev.berth.agent.AgentOptions;
import dev.berth.agent.Privileges;
import dev.berth.agent.ProductionParts;
import dev.berth.agent.identity.NodeCredentials;
import dev.berth.agent.testing.TestDocker;
import dev.berth.core.server.BerthServer;
import dev.berth.core.server.ServerOptions;
import dev.berth.core.testing.Kubectl;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code berth image push} end to end: a control plane, one agent on real Docker, the command run
 * in-process; the image goes docker save → API server (nodes/NAME/proxy) → agent → docker load.
 */
class ImagePushIT {
    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final String NODE = "push-node";

    @TempDir
    static Path dir;
    static String prefix;
    static String busybox;
    static BerthServer server;
    static KubernetesClient admin;
    static Agent agent;
    static Kubectl kubectl;

    @BeforeAll
    static void start() throws Exception {
        TestDocker.require();
        busybox = TestDocker.busybox();
        prefix = TestDocker.runPrefix();
        String clusterCidr = "10." + (240 + ThreadLocalRandom.current().nextInt(16)) + "."
                + 16 * ThreadLocalRandom.current().nextInt(16) + ".0/20";
        server = new BerthServer(ServerOptions.defaults(dir.resolve("server")).withListen("127.0.0.1", 0)
                .withClusterCidr(clusterCidr), Clock.systemUTC()).start();
        admin = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(server.adminKubeconfig()))).build();
        kubectl = new Kubectl(server.adminKubeconfig(), Files.createDirectories(dir.resolve("home")));
        Path kubeconfig = dir.resolve("node.kubeconfig");
        NodeCredentials.issue(server.pki().ca(), "https://127.0.0.1:" + server.address().getPort(), NODE,
                NodeCredentials.DEFAULT_VALIDITY).write(kubeconfig);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        AgentOptions options = AgentOptions.defaults(kubeconfig).withNodeName(NODE).withDataDir(dir.resolve("agent"))
                .withPort(port).withNamePrefix(prefix).withNodeIp(InetAddress.getLoopbackAddress())
                    // Service and pod network rules would go into the host namespace: this test needs none
                    .withProxyMode(AgentOptions.ProxyMode.NONE);
        agent = Agent.fromKubeconfig(options, ProductionParts.withoutPodNetworkRules(), Privileges.system(), Clock.systemUTC()).start();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(admin.nodes().withName(NODE).get()
                .getStatus().getConditions()).anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo("Ready");
                    assertThat(c.getStatus()).isEqualTo("True");
                }));
    }

    @AfterAll
    static void stop() {
        try {
            if (agent != null) agent.close();
            if (admin != null) admin.close();
            if (server != null) server.close();
        } finally {
            if (prefix != null) TestDocker.removeAll(prefix);
        }
    }

    record Run(int exit, String out, String err) {}

    private static Run push(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new BerthCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        String[] all = new String[args.length + 4];
        all[0] = "image";
        all[1] = "push";
        System.arraycopy(args, 0, all, 2, args.length);
        all[args.length + 2] = "--kubeconfig";
        all[args.length + 3] = server.adminKubeconfig().toString();
        int exit = cl.execute(all);
        return new Run(exit, out.toString(), err.toString());
    }

    /** The IDs of the images the engine reported as loaded since {@code since}. */
    private static String loadEvents(Instant since) throws Exception {
        TestDocker.Result events = TestDocker.docker("events", "--since", String.valueOf(since.getEpochSecond()),
                "--until", String.valueOf(Instant.now().getEpochSecond() + 1), "--filter", "type=image",
                "--filter", "event=load", "--format", "{{.Actor.ID}}");
        assertThat(events.exit()).as(events.output()).isZero();
        return events.output();
    }

    @Test
    void pushesAnImageToTheNodeWhereAPodRunsItWithoutPulling() throws Exception {
        String tag = prefix + "busybox:pushed";
        try {
            assertThat(TestDocker.docker("tag", busybox, tag).exit()).isZero();
            Instant before = Instant.now().minusSeconds(1);
            Run run = push(tag, "--node", NODE);
            assertThat(run.exit()).as(run.toString()).isZero();
            assertThat(run.out()).contains(NODE + ": loaded " + tag);
            // the agent's docker load happened (the local engine and the node's are one here)
            String id = TestDocker.docker("image", "inspect", "-f", "{{.Id}}", tag).output().strip();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(loadEvents(before)).contains(id));

            admin.pods().inNamespace("default").resource(new PodBuilder()
                    .withNewMetadata().withName("pushed").endMetadata()
                    .withNewSpec().withNodeName(NODE)
                    .addNewContainer().withName("main").withImage(tag).withImagePullPolicy("Never")
                    .withCommand("sh", "-c", "echo from the pushed image; sleep 3600").endContainer()
                    .withTerminationGracePeriodSeconds(1L)
                    .endSpec().build()).create();
            await().atMost(WAIT).untilAsserted(() -> {
                Pod p = admin.pods().inNamespace("default").withName("pushed").get();
                assertThat(p.getStatus().getPhase()).isEqualTo("Running");
                assertThat(p.getStatus().getContainerStatuses().getFirst().getImage()).isEqualTo(tag);
            });
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(kubectl.run("logs", "pushed").out()).contains("from the pushed image"));
            admin.pods().inNamespace("default").withName("pushed").withGracePeriod(0).delete();
        } finally {
            TestDocker.docker("rmi", "--no-prune", tag);
        }
    }

    @Test
    void aMissingLocalImageIsAnErrorNamingIt() {
        String missing = prefix + "nothing:1";
        Run run = push(missing, "--node", NODE);
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains(missing).contains("not in the local Docker engine");
    }

    @Test
    void aNodeThatFailsIsReportedByNameAndTheExitCodeIsOne() throws Exception {
        admin.nodes().resource(new NodeBuilder().withNewMetadata().withName("ghost-a").endMetadata().build()).create();
        Run run = push(busybox, "--node", NODE, "--node", "ghost-a", "--node", "nowhere");
        assertThat(run.exit()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).contains(NODE + ": loaded " + busybox)
                .containsPattern("ghost-a: failed: HTTP 503: node ghost-a: proxy needs a node agent")
                .contains("nowhere: failed: HTTP 404").contains("nowhere");
    }

    @Test
    void allPushesOnlyToReadyNodes() {
        admin.nodes().resource(new NodeBuilder().withNewMetadata().withName("ghost-b").endMetadata().build()).create();
        Run run = push(busybox, "--all");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).contains("ghost-b: skipped, the node is not Ready").contains(NODE + ": loaded " + busybox);
    }

    @Test
    void theNodeProxyPassesGetsToTheAgentForKubectl() {
        Kubectl.Result r = kubectl.run("get", "--raw", "/api/v1/nodes/" + NODE + "/proxy/healthz");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("ok");
        Kubectl.Result summary = kubectl.run("get", "--raw", "/api/v1/nodes/" + NODE + "/proxy/stats/summary");
        assertThat(summary.exit()).as(summary.toString()).isZero();
        assertThat(summary.out()).contains("\"nodeName\":\"" + NODE + "\"");
    }

    @Test
    void pushNeedsNodesOrAll() {
        Run run = push(busybox);
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--node").contains("--all");
    }
}
