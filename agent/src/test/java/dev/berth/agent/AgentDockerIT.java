package dev.berth.agent;

import dev.berth.agent.identity.NodeCredentials;
import dev.berth.agent.testing.TestDocker;
import dev.berth.core.server.BerthServer;
import dev.berth.core.server.ServerOptions;
import dev.berth.core.testing.Kubectl;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
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
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A one-node cluster for real: a control plane (controllers, scheduler, node IPAM) and the agent
 * with every real part, running pods as Docker containers on a bridge network made from the
 * Node's podCIDR, read and driven with the real kubectl.
 */
class AgentDockerIT {
    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final String NODE = "docker-node";

    @TempDir
    static Path dir;
    static String prefix;
    static String image;
    static String clusterCidr;
    static BerthServer server;
    static KubernetesClient admin;
    static Agent agent;
    static Kubectl kubectl;

    @BeforeAll
    static void start() throws Exception {
        TestDocker.require();
        image = TestDocker.busybox();
        prefix = TestDocker.runPrefix();
        // a cluster CIDR of its own, so that the node's /24 bridge collides with no other test's network
        clusterCidr = "10." + (240 + ThreadLocalRandom.current().nextInt(16)) + "." + 16 * ThreadLocalRandom.current().nextInt(16) + ".0/20";
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

    private static Pod get(String name) {
        return admin.pods().inNamespace("default").withName(name).get();
    }

    private static boolean ready(Pod p) {
        return p != null && p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    @Test
    void runsAPodWhoseContainersShareLocalhostAndAConfigMapVolume() {
        admin.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("site")
                .endMetadata().addToData("index.html", "hello from a config map\n").build()).create();
        admin.pods().inNamespace("default").resource(new PodBuilder()
                .withNewMetadata().withName("web").addToLabels("app", "web").endMetadata()
                .withNewSpec()
                .addNewContainer().withName("httpd").withImage(image)
                .withCommand("httpd", "-f", "-p", "8080", "-h", "/www")
                .addNewVolumeMount().withName("site").withMountPath("/www").endVolumeMount()
                .withNewReadinessProbe().withNewHttpGet().withPath("/index.html").withPort(new IntOrString(8080)).endHttpGet()
                .withPeriodSeconds(1).endReadinessProbe()
                .endContainer()
                .addNewContainer().withName("client").withImage(image).withCommand("sh", "-c", "echo client up; sleep 3600")
                .endContainer()
                .addNewVolume().withName("site").withNewConfigMap().withName("site").endConfigMap().endVolume()
                .withTerminationGracePeriodSeconds(2L)
                .endSpec().build()).create();

        await().atMost(WAIT).until(() -> ready(get("web")));
        Pod pod = get("web");
        assertThat(pod.getSpec().getNodeName()).as("the scheduler bound it to the only node").isEqualTo(NODE);
        assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
        String podCidr = admin.nodes().withName(NODE).get().getSpec().getPodCIDR();
        String net = podCidr.substring(0, podCidr.lastIndexOf('.'));
        assertThat(pod.getStatus().getPodIP()).as("pod IP from the node's podCIDR " + podCidr).startsWith(net + ".");
        assertThat(pod.getStatus().getContainerStatuses()).extracting(ContainerStatus::getName, ContainerStatus::getReady)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("httpd", true),
                        org.assertj.core.groups.Tuple.tuple("client", true));
        assertThat(pod.getStatus().getContainerStatuses()).allSatisfy(s -> assertThat(s.getContainerID()).startsWith("docker://"));

        // one container reaches the other on localhost, and reads the config map through it
        Kubectl.Result exec = kubectl.run("exec", "web", "-c", "client", "--", "wget", "-qO-", "http://localhost:8080/index.html");
        assertThat(exec.exit()).as(exec.toString()).isZero();
        assertThat(exec.out()).contains("hello from a config map");
        Kubectl.Result logs = kubectl.run("logs", "web", "-c", "client");
        assertThat(logs.out()).contains("client up");
        Kubectl.Result get = kubectl.run("get", "pod", "web", "-o", "wide");
        assertThat(get.out()).contains("2/2").contains("Running").contains(NODE);

        admin.pods().inNamespace("default").withName("web").delete();
        await().atMost(WAIT).until(() -> get("web") == null);
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(TestDocker.docker("ps", "-aq", "--filter",
                "label=berth.dev/pod-name=web", "--filter", "name=" + prefix).output()).isBlank());
    }

    @Test
    void aNonRootContainerWritesToVolumesGivenToItsFsGroup() {
        admin.pods().inNamespace("default").resource(new PodBuilder()
                .withNewMetadata().withName("groups").endMetadata()
                .withNewSpec()
                .withNewSecurityContext().withRunAsUser(1000L).withRunAsGroup(1000L).withFsGroup(2000L)
                .withSupplementalGroups(3000L).endSecurityContext()
                .addNewContainer().withName("main").withImage(image).withCommand("sh", "-c", "sleep 3600")
                .addNewVolumeMount().withName("scratch").withMountPath("/scratch").endVolumeMount()
                .endContainer()
                .addNewVolume().withName("scratch").withNewEmptyDir().endEmptyDir().endVolume()
                .withTerminationGracePeriodSeconds(1L)
                .endSpec().build()).create();
        await().atMost(WAIT).until(() -> ready(get("groups")));

        Kubectl.Result id = kubectl.run("exec", "groups", "--", "id", "-G");
        assertThat(id.exit()).as(id.toString()).isZero();
        assertThat(id.out().trim().split(" ")).as("primary group, supplementalGroups, then fsGroup")
                .containsExactlyInAnyOrder("1000", "3000", "2000");
        Kubectl.Result write = kubectl.run("exec", "groups", "--", "sh", "-c",
                "echo hi > /scratch/f && mkdir /scratch/d && stat -c '%g %A' /scratch /scratch/f /scratch/d");
        assertThat(write.exit()).as("user 1000 writes to the emptyDir through group 2000: " + write).isZero();
        assertThat(write.out().lines().toList()).containsExactly(
                "2000 drwxrwsrwx", "2000 -rw-r--r--", "2000 drwxr-sr-x");
        admin.pods().inNamespace("default").withName("groups").withGracePeriod(0).delete();
    }

    @Test
    void aPodWithASubdomainFindsItsFullyQualifiedNameInEtcHosts() {
        admin.pods().inNamespace("default").resource(new PodBuilder()
                .withNewMetadata().withName("db-0").endMetadata()
                .withNewSpec().withHostname("db-0").withSubdomain("db")
                .addNewContainer().withName("main").withImage(image).withCommand("sh", "-c", "sleep 3600").endContainer()
                .withTerminationGracePeriodSeconds(1L)
                .endSpec().build()).create();
        await().atMost(WAIT).until(() -> ready(get("db-0")));
        String ip = get("db-0").getStatus().getPodIP();
        Kubectl.Result hosts = kubectl.run("exec", "db-0", "--", "cat", "/etc/hosts");
        assertThat(hosts.exit()).as(hosts.toString()).isZero();
        assertThat(hosts.out().lines().map(l -> l.trim().replaceAll("\\s+", " ")))
                .contains(ip + " db-0.db.default.svc.cluster.local db-0");
        Kubectl.Result fqdn = kubectl.run("exec", "db-0", "--", "hostname", "-f");
        assertThat(fqdn.out().trim()).isEqualTo("db-0.db.default.svc.cluster.local");
        admin.pods().inNamespace("default").withName("db-0").withGracePeriod(0).delete();
    }

    @Test
    void aDeploymentBecomesAvailableAndACrashingContainerBacksOff() {
        admin.apps().deployments().inNamespace("default").resource(new DeploymentBuilder()
                .withNewMetadata().withName("sleepers").endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "sleepers").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "sleepers").endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage(image).withCommand("sleep", "3600").endContainer()
                .withTerminationGracePeriodSeconds(1L).endSpec()
                .endTemplate().endSpec().build()).create();
        admin.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("crasher").endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage(image).withCommand("sh", "-c", "echo boom; exit 3")
                .endContainer().endSpec().build()).create();

        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(admin.apps().deployments().inNamespace("default")
                .withName("sleepers").get().getStatus().getAvailableReplicas()).isEqualTo(2));
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            ContainerStatus s = get("crasher").getStatus().getContainerStatuses().getFirst();
            assertThat(s.getRestartCount()).isGreaterThanOrEqualTo(1);
            assertThat(s.getLastState().getTerminated().getExitCode()).isEqualTo(3);
        });
        Kubectl.Result logs = kubectl.run("logs", "crasher", "--previous");
        assertThat(logs.out()).contains("boom");

        admin.apps().deployments().inNamespace("default").withName("sleepers").delete();
        admin.pods().inNamespace("default").withName("crasher").withGracePeriod(0).delete();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(admin.pods().inNamespace("default").list().getItems())
                .extracting(p -> p.getMetadata().getName()).noneMatch(n -> n.startsWith("sleepers") || n.equals("crasher")));
    }
}
