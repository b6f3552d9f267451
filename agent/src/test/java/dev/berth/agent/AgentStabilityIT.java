package dev.berth.agent;

import dev.berth.agent.identity.NodeCredentials;
import dev.berth.agent.runtime.RuntimeLabels;
import dev.berth.agent.testing.TcpRelay;
import dev.berth.agent.testing.TestDocker;
import dev.berth.core.server.BerthServer;
import dev.berth.core.server.ServerOptions;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Self-healing and static stability on real Docker: a one-node cluster whose agent reaches the
 * API server through a {@link TcpRelay}, so that the control plane can be taken away and brought
 * back on the same address while the agent runs.
 */
class AgentStabilityIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path dir;
    static String prefix;
    static String node;
    static String image;
    static BerthServer server;
    static TcpRelay relay;
    static KubernetesClient admin;
    static AgentOptions options;
    static Agent agent;

    @BeforeAll
    static void start() throws Exception {
        TestDocker.require();
        image = TestDocker.busybox();
        prefix = TestDocker.runPrefix();
        node = "heal-" + prefix.substring(TestDocker.PREFIX.length(), prefix.length() - 1);
        String clusterCidr = "10." + (240 + ThreadLocalRandom.current().nextInt(16)) + "."
                + 16 * ThreadLocalRandom.current().nextInt(16) + ".0/20";
        server = new BerthServer(ServerOptions.defaults(dir.resolve("server")).withListen("127.0.0.1", 0)
                .withClusterCidr(clusterCidr), Clock.systemUTC()).start();
        admin = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(server.adminKubeconfig()))).build();
        relay = new TcpRelay(server.address().getPort()).start();

        Path kubeconfig = dir.resolve("node.kubeconfig");
        NodeCredentials.issue(server.pki().ca(), "https://127.0.0.1:" + relay.port(), node,
                NodeCredentials.DEFAULT_VALIDITY).write(kubeconfig);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        options = AgentOptions.defaults(kubeconfig).withNodeName(node).withDataDir(dir.resolve("agent"))
                .withPort(port).withNamePrefix(prefix).withNodeIp(InetAddress.getLoopbackAddress());
        agent = startAgent();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(admin.nodes().withName(node).get()
                .getStatus().getConditions()).anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo("Ready");
                    assertThat(c.getStatus()).isEqualTo("True");
                }));
    }

    private static Agent startAgent() {
        return Agent.fromKubeconfig(options, new ProductionParts(), Privileges.system(), Clock.systemUTC()).start();
    }

    @AfterAll
    static void stop() {
        try {
            if (agent != null) agent.close();
            if (relay != null) relay.close();
            if (admin != null) admin.close();
            if (server != null) server.close();
        } finally {
            if (prefix != null) TestDocker.removeAll(prefix);
        }
    }

    private static Pod get(String name) {
        return admin.pods().inNamespace("default").withName(name).get();
    }

    private static boolean ready(Pod p) {
        return p != null && p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static ContainerStatus status(Pod p, String container) {
        return p.getStatus().getContainerStatuses().stream().filter(s -> container.equals(s.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no status for container " + container + " in " + p.getStatus()));
    }

    /** Ids of the running containers of a pod (sandbox included), from {@code docker ps} with this run's prefix. */
    private static List<String> runningIds(String pod) throws Exception {
        return ids("ps", "-q", "--no-trunc", "--filter", "label=" + RuntimeLabels.POD_NAME + "=" + pod,
                "--filter", "name=" + prefix);
    }

    /** Ids of all the containers of a pod, running or not. */
    private static List<String> allIds(String pod) throws Exception {
        return ids("ps", "-aq", "--no-trunc", "--filter", "label=" + RuntimeLabels.POD_NAME + "=" + pod,
                "--filter", "name=" + prefix);
    }

    private static List<String> ids(String... args) throws Exception {
        TestDocker.Result r = TestDocker.docker(args);
        assertThat(r.exit()).as(r.output()).isZero();
        return Arrays.stream(r.output().split("\\s+")).filter(s -> !s.isBlank()).sorted().toList();
    }

    /** The id of the running container of one of a pod's containers, as docker reports it. */
    private static String runningId(String pod, String container) throws Exception {
        List<String> ids = ids("ps", "-q", "--no-trunc", "--filter", "label=" + RuntimeLabels.POD_NAME + "=" + pod,
                "--filter", "label=" + RuntimeLabels.CONTAINER_NAME + "=" + container, "--filter", "name=" + prefix);
        assertThat(ids).as("running containers of %s/%s", pod, container).hasSize(1);
        return ids.getFirst();
    }

    private static String docker(String... args) throws Exception {
        TestDocker.Result r = TestDocker.docker(args);
        assertThat(r.exit()).as("docker %s: %s", String.join(" ", args), r.output()).isZero();
        return r.output().strip();
    }

    @Test
    void aRestartedAgentAdoptsRunningContainersAndRemovesContainersOfNoPod() throws Exception {
        admin.pods().inNamespace("default").resource(new PodBuilder()
                .withNewMetadata().withName("adopted").endMetadata()
                .withNewSpec().withNodeName(node)
                .addNewContainer().withName("main").withImage(image).withCommand("sleep", "3600")
                .withNewReadinessProbe().withNewExec().withCommand("true").endExec().withPeriodSeconds(1).endReadinessProbe()
                .endContainer()
                .withTerminationGracePeriodSeconds(1L).endSpec().build()).create();
        await().atMost(WAIT).until(() -> ready(get("adopted")));
        String uid = get("adopted").getMetadata().getUid();
        List<String> before = runningIds("adopted");
        assertThat(before).as("the sandbox and the app container").hasSize(2);
        String startedAt = status(get("adopted"), "main").getState().getRunning().getStartedAt();

        agent.close();
        // a container that looks like the agent's own but belongs to no pod the API has
        String orphan = docker("run", "-d", "--name", prefix + "orphan",
                "--label", RuntimeLabels.NODE + "=" + node,
                "--label", RuntimeLabels.POD_UID + "=" + UUID.randomUUID(),
                "--label", RuntimeLabels.POD_NAMESPACE + "=default",
                "--label", RuntimeLabels.POD_NAME + "=vanished",
                "--label", RuntimeLabels.CONTAINER_NAME + "=main",
                "--label", RuntimeLabels.ROLE + "=" + RuntimeLabels.ROLE_APP,
                image, "sleep", "3600");
        assertThat(orphan).isNotBlank();

        agent = startAgent();
        agent.orphansCleaned().get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertThat(allIds("vanished")).as("the container of no pod is removed").isEmpty();
        // the new agent's worker has synced the pod and found its status as the API has it
        await().atMost(WAIT).until(() -> agent.statusWriter().isWritten(uid));

        assertThat(runningIds("adopted")).as("the same containers run: none restarted, none added").isEqualTo(before);
        assertThat(allIds("adopted")).isEqualTo(before);
        Pod pod = get("adopted");
        assertThat(ready(pod)).isTrue();
        ContainerStatus main = status(pod, "main");
        assertThat(main.getRestartCount()).isZero();
        assertThat(main.getState().getRunning().getStartedAt()).isEqualTo(startedAt);
        assertThat(main.getContainerID()).isIn(before.stream().map(id -> "docker://" + id).toList());

        admin.pods().inNamespace("default").withName("adopted").delete();
        await().atMost(WAIT).until(() -> get("adopted") == null);
    }

    @Test
    void withTheControlPlaneAwayPodsKeepRunningAndRestartingAndTheirStatusIsSentWhenItIsBack() throws Exception {
        admin.pods().inNamespace("default").resource(new PodBuilder()
                .withNewMetadata().withName("steady").endMetadata()
                .withNewSpec().withNodeName(node)
                .addNewContainer().withName("crashy").withImage(image).withCommand("sleep", "3600").endContainer()
                .addNewContainer().withName("probed").withImage(image).withCommand("sleep", "3600")
                .withNewLivenessProbe().withNewExec().withCommand("sh", "-c", "test ! -f /tmp/sick").endExec()
                .withPeriodSeconds(1).withFailureThreshold(1).endLivenessProbe()
                .endContainer()
                .withTerminationGracePeriodSeconds(1L).endSpec().build()).create();
        await().atMost(WAIT).until(() -> ready(get("steady")));
        String uid = get("steady").getMetadata().getUid();
        String crashy = runningId("steady", "crashy");
        String probed = runningId("steady", "probed");

        relay.stop();
        try {
            // the agent cannot reach the API: a crash and a failing liveness probe are still acted on
            docker("kill", crashy);
            docker("exec", probed, "touch", "/tmp/sick");
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                String c = runningId("steady", "crashy");
                String p = runningId("steady", "probed");
                assertThat(c).isNotEqualTo(crashy);
                assertThat(p).isNotEqualTo(probed);
                assertThat(docker("inspect", "--format", "{{index .Config.Labels \"" + RuntimeLabels.ATTEMPT + "\"}}", c))
                        .isEqualTo("1");
                assertThat(docker("inspect", "--format", "{{index .Config.Labels \"" + RuntimeLabels.ATTEMPT + "\"}}", p))
                        .isEqualTo("1");
            });
            assertThat(docker("inspect", "--format", "{{.State.ExitCode}}", crashy)).isEqualTo("137");
            assertThat(agent.statusWriter().isWritten(uid)).as("the restarts are not in the API yet").isFalse();
            assertThat(status(get("steady"), "crashy").getRestartCount()).isZero();
        } finally {
            relay.start();
        }

        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            Pod pod = get("steady");
            assertThat(status(pod, "crashy").getRestartCount()).isEqualTo(1);
            assertThat(status(pod, "crashy").getLastState().getTerminated().getExitCode()).isEqualTo(137);
            assertThat(status(pod, "probed").getRestartCount()).isEqualTo(1);
            assertThat(status(pod, "crashy").getContainerID()).isEqualTo("docker://" + runningId("steady", "crashy"));
            assertThat(ready(pod)).isTrue();
        });

        admin.pods().inNamespace("default").withName("steady").delete();
        await().atMost(WAIT).until(() -> get("steady") == null);
    }

    @Test
    void aPodDeletedFromTheApiIsStoppedGracefullyAndItsContainersRemoved() throws Exception {
        Path data = Files.createDirectories(dir.resolve("graceful"));
        admin.pods().inNamespace("default").resource(new PodBuilder()
                .withNewMetadata().withName("graceful").endMetadata()
                .withNewSpec().withNodeName(node)
                .addNewContainer().withName("main").withImage(image)
                .withCommand("sh", "-c", "trap 'echo stopped-by-TERM > /data/marker; exit 0' TERM; "
                        + "echo up > /data/up; while true; do sleep 0.2; done")
                .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount()
                .endContainer()
                .addNewVolume().withName("data").withNewHostPath().withPath(data.toString()).endHostPath().endVolume()
                .withTerminationGracePeriodSeconds(20L).endSpec().build()).create();
        await().atMost(WAIT).until(() -> ready(get("graceful")) && Files.exists(data.resolve("up")));
        assertThat(allIds("graceful")).hasSize(2);

        admin.pods().inNamespace("default").withName("graceful").delete();
        await().atMost(WAIT).until(() -> get("graceful") == null);
        assertThat(data.resolve("marker")).as("the container trapped TERM within its grace period")
                .hasContent("stopped-by-TERM");
        await().atMost(WAIT).untilAsserted(() -> assertThat(allIds("graceful")).isEmpty());
    }

    static Map<String, String> labels(String id) throws Exception {
        String out = docker("inspect", "--format", "{{range $k, $v := .Config.Labels}}{{$k}}={{$v}}\n{{end}}", id);
        return out.lines().filter(l -> l.contains("=")).collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')),
                l -> l.substring(l.indexOf('=') + 1)));
    }
}
