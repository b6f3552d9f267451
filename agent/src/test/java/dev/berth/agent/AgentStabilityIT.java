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
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Self-healing and static stability on real Docker: a one-node cluster whose agent reaches the
 * API server through a {@link TcpRelay}, so that the control plane can be taken away and brought
 * back on the same address while the agent runs.
 */
class AgentStabilityIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    /**
     * Kubernetes' default tolerations (300 s) of a not-ready node (its engine is down) and of an
     * unreachable one (the relay is cut while the control plane runs), instead of Berth's 5 s lab
     * defaults, so that the control plane does not evict the pods this test watches.
     */
    private static final List<Toleration> DEFAULT_TOLERATIONS = List.of(
            new TolerationBuilder().withKey("node.kubernetes.io/not-ready").withOperator("Exists")
                    .withEffect("NoExecute").withTolerationSeconds(300L).build(),
            new TolerationBuilder().withKey("node.kubernetes.io/unreachable").withOperator("Exists")
                    .withEffect("NoExecute").withTolerationSeconds(300L).build());

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
                .withPort(port).withNamePrefix(prefix).withNodeIp(InetAddress.getLoopbackAddress())
                    // Service rules would go into the host namespace: this test needs none
                    .withProxyMode(AgentOptions.ProxyMode.NONE);
        agent = startAgent();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(admin.nodes().withName(node).get()
                .getStatus().getConditions()).anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo("Ready");
                    assertThat(c.getStatus()).isEqualTo("True");
                }));
    }

    private static Agent startAgent() {
        return Agent.fromKubeconfig(options, ProductionParts.withoutPodNetworkRules(), Privileges.system(), Clock.systemUTC()).start();
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
                .withNewSpec().withNodeName(node).withTolerations(DEFAULT_TOLERATIONS)
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
                .withNewSpec().withNodeName(node).withTolerations(DEFAULT_TOLERATIONS)
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
                .withNewSpec().withNodeName(node).withTolerations(DEFAULT_TOLERATIONS)
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

    /**
     * A second Docker engine of this test's own (the machine's dockerd is shared and must not be
     * restarted), its paths and its bridge named with the run prefix, with a second agent on it: the engine is
     * stopped, which stops its containers, and started again on the same data; the agent reconnects
     * and runs the pod again.
     */
    @Test
    void anAgentSurvivesARestartOfItsDockerEngine() throws Exception {
        Path root = Path.of("/tmp", prefix + "dockerd");
        try (SecondEngine engine = new SecondEngine(root)) {
            engine.start();
            engine.docker("load", "-i", saveBusybox().toString());
            String node2 = node + "-2";
            Path kubeconfig = dir.resolve("node2.kubeconfig");
            NodeCredentials.issue(server.pki().ca(), "https://127.0.0.1:" + relay.port(), node2,
                    NodeCredentials.DEFAULT_VALIDITY).write(kubeconfig);
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            AgentOptions o = AgentOptions.defaults(kubeconfig).withNodeName(node2).withDataDir(dir.resolve("agent2"))
                    .withPort(port).withNamePrefix(prefix).withNodeIp(InetAddress.getLoopbackAddress())
                    // Service rules would go into the host namespace: this test needs none
                    .withProxyMode(AgentOptions.ProxyMode.NONE)
                    .withDockerHost(URI.create("unix://" + engine.socket()));
            try (Agent agent2 = Agent.fromKubeconfig(o, ProductionParts.withoutPodNetworkRules(), Privileges.system(), Clock.systemUTC()).start()) {
                admin.pods().inNamespace("default").resource(new PodBuilder()
                        .withNewMetadata().withName("survivor").endMetadata()
                        .withNewSpec().withNodeName(node2).withTolerations(DEFAULT_TOLERATIONS)
                        .addNewContainer().withName("main").withImage(image).withCommand("sleep", "3600").endContainer()
                        .withTerminationGracePeriodSeconds(1L).endSpec().build()).create();
                await().atMost(WAIT).until(() -> ready(get("survivor")));
                String before = engine.runningId("survivor", "main");

                engine.stop();
                engine.start();
                await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                    String now = engine.runningId("survivor", "main", engine.run("ps", "-a").output());
                    assertThat(now).as("a new container runs in place of the one the engine stopped").isNotEqualTo(before);
                    Pod pod = get("survivor");
                    assertThat(ready(pod)).isTrue();
                    assertThat(status(pod, "main").getRestartCount()).isGreaterThanOrEqualTo(1);
                    assertThat(status(pod, "main").getContainerID()).isEqualTo("docker://" + now);
                });
                assertThat(engine.ids("ps", "-q", "--filter", "label=" + RuntimeLabels.POD_NAME + "=survivor"))
                        .as("one sandbox and one app container run, no duplicates").hasSize(2);

                admin.pods().inNamespace("default").withName("survivor").delete();
                await().atMost(WAIT).until(() -> get("survivor") == null);
                await().atMost(WAIT).untilAsserted(() -> assertThat(engine.ids("ps", "-aq", "--filter",
                        "label=" + RuntimeLabels.POD_NAME + "=survivor")).isEmpty());
            }
        }
    }

    private static Path saveBusybox() throws Exception {
        Path tar = dir.resolve("busybox.tar");
        if (!Files.exists(tar)) docker("save", "-o", tar.toString(), image);
        return tar;
    }

    /** A dockerd of the test's own on a unix socket under {@code root}, with no default bridge and no iptables rules. */
    static final class SecondEngine implements AutoCloseable {
        private final Path root;
        private Process process;
        private String bridge;

        /** A bridge interface named from the run prefix, on a random /24 inside 10.240.0.0/12 (another on overlap). */
        private void makeBridge() throws Exception {
            String name = "bt" + prefix.substring(TestDocker.PREFIX.length(), prefix.length() - 1);
            assertThat(host("ip", "link", "add", name, "type", "bridge").exit()).isZero();
            bridge = name;
            for (int i = 0; ; i++) {
                String address = "10." + (240 + ThreadLocalRandom.current().nextInt(16)) + "."
                        + ThreadLocalRandom.current().nextInt(256) + ".1/24";
                boolean taken = host("ip", "-o", "route", "show", "match", address.replace(".1/24", ".0/24"))
                        .output().contains("/");
                if (!taken && host("ip", "addr", "add", address, "dev", name).exit() == 0) break;
                assertThat(i).as("a free /24 for the bridge").isLessThan(20);
            }
            assertThat(host("ip", "link", "set", name, "up").exit()).isZero();
        }

        private static TestDocker.Result host(String... cmd) throws Exception {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            return new TestDocker.Result(p.waitFor(), out);
        }

        SecondEngine(Path root) {
            this.root = root;
        }

        String socket() {
            return root.resolve("docker.sock").toString();
        }

        void start() throws Exception {
            Files.createDirectories(root.resolve("data"));
            Files.createDirectories(root.resolve("exec"));
            if (bridge == null) makeBridge();
            // its own default bridge: with --bridge=none a dockerd deletes the host's docker0, which the machine's engine uses
            process = new ProcessBuilder("dockerd", "--data-root", root.resolve("data").toString(),
                    "--exec-root", root.resolve("exec").toString(), "--pidfile", root.resolve("dockerd.pid").toString(),
                    "-H", "unix://" + socket(), "--bridge=" + bridge, "--iptables=false", "--ip6tables=false")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("dockerd.log").toFile()))
                    .start();
            await().atMost(WAIT).until(() -> {
                if (!process.isAlive()) {
                    throw new AssertionError("dockerd exited: " + Files.readString(root.resolve("dockerd.log")));
                }
                return run("version", "--format", "{{.Server.Version}}").exit() == 0;
            });
        }

        /** Stops the engine as a service stop does (SIGTERM); without live-restore it stops its containers. */
        void stop() throws Exception {
            process.destroy();
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }

        TestDocker.Result run(String... args) throws Exception {
            List<String> cmd = new java.util.ArrayList<>(List.of("docker", "-H", "unix://" + socket()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            return new TestDocker.Result(p.waitFor(), out);
        }

        String docker(String... args) throws Exception {
            TestDocker.Result r = run(args);
            assertThat(r.exit()).as("docker %s: %s", String.join(" ", args), r.output()).isZero();
            return r.output().strip();
        }

        List<String> ids(String... args) throws Exception {
            return Arrays.stream(docker(args).split("\\s+")).filter(s -> !s.isBlank()).sorted().toList();
        }

        String runningId(String pod, String container) throws Exception {
            return runningId(pod, container, "");
        }

        String runningId(String pod, String container, String context) throws Exception {
            List<String> ids = ids("ps", "-q", "--no-trunc", "--filter", "label=" + RuntimeLabels.POD_NAME + "=" + pod,
                    "--filter", "label=" + RuntimeLabels.CONTAINER_NAME + "=" + container);
            assertThat(ids).as("running containers of %s/%s %s", pod, container, context).hasSize(1);
            return ids.getFirst();
        }

        @Override
        public void close() throws Exception {
            try {
                if (process != null && process.isAlive()) {
                    for (String id : ids("ps", "-aq")) run("rm", "-f", "-v", id);
                    stop();
                }
            } finally {
                if (bridge != null) host("ip", "link", "del", bridge);
                try (var paths = Files.walk(root)) {
                    paths.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (java.io.IOException | java.io.UncheckedIOException e) {
                    // best effort: .ci/run removes leftovers with the run prefix
                }
            }
        }
    }
}
