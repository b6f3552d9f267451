package dev.berth.app.cli;

import dev.berth.agent.testing.TestDocker;
import dev.berth.core.server.BerthServer;
import dev.berth.core.server.ServerOptions;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import dev.berth.core.pki.Kubeconfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** berth server --local-node runs berth agent as a child process with the node's credentials. */
class LocalNodeIT {
    @TempDir
    Path dir;

    @Test
    void runsTheAgentAsAChildThatRegistersItsNodeWithNodeCredentials() throws Exception {
        TestDocker.require();
        // a cluster CIDR of its own inside 10.240.0.0/12, so that the node's pod bridge collides with no other network
        String cidr = "10." + (240 + ThreadLocalRandom.current().nextInt(16)) + "."
                + 16 * ThreadLocalRandom.current().nextInt(16) + ".0/20";
        try (BerthServer server = new BerthServer(ServerOptions.defaults(dir.resolve("server"))
                .withListen("127.0.0.1", 0).withClusterCidr(cidr), Clock.systemUTC()).start();
             KubernetesClient admin = new KubernetesClientBuilder()
                     .withConfig(Config.fromKubeconfig(Files.readString(server.adminKubeconfig()))).build()) {
            // no Service rules in the machine's own namespace from a test
            try (LocalNode node = LocalNode.start(server.pki().ca(), "https://127.0.0.1:" + server.address().getPort(),
                    dir, "lab-1", List.of("--cluster-cidr", cidr, "--proxy-mode", "none"))) {
                await().atMost(Duration.ofMinutes(3)).untilAsserted(() -> {
                    assertThat(node.process().isAlive()).as("the agent child runs: %s", log()).isTrue();
                    assertThat(admin.nodes().withName("lab-1").get()).as("the node registered").isNotNull();
                });
                assertThat(admin.nodes().withName("lab-1").get().getStatus().getNodeInfo().getContainerRuntimeVersion())
                        .startsWith("docker://");
            }
            assertThat(log()).contains("lab-1");
        } finally {
            removeOwnPodNetwork(cidr);
            removePodNetworkRules();
        }
        Kubeconfig credentials = Kubeconfig.read(dir.resolve(LocalNode.KUBECONFIG));
        assertThat(((Kubeconfig.ClientCertificate) credentials.credentials()).certifiedKey().certificate()
                .getSubjectX500Principal().getName()).contains("CN=system:node:lab-1");
    }

    private String log() throws java.io.IOException {
        Path log = dir.resolve("agent.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** The agent's pod bridge (berth-pods), only when it is the one made on this test's cluster CIDR. */
    private static void removeOwnPodNetwork(String cidr) throws java.io.IOException {
        String prefix = cidr.substring(0, cidr.indexOf('.', cidr.indexOf('.') + 1) + 1);
        TestDocker.Result subnet = TestDocker.docker("network", "inspect", "berth-pods", "--format",
                "{{range .IPAM.Config}}{{.Subnet}}{{end}}");
        if (subnet.exit() == 0 && subnet.output().strip().startsWith(prefix)) {
            TestDocker.docker("network", "rm", "berth-pods");
        }
    }

    /**
     * The pod network rules the child made in this machine's namespace (chains named from the default
     * name prefix): a test leaves no rules behind. Its single node had no routes to make.
     */
    private static void removePodNetworkRules() {
        try {
            dev.berth.agent.network.PodRoutesReconciler.removeRules(dev.berth.agent.network.HostCommand.local()::run,
                    dev.berth.agent.AgentOptions.DEFAULT_NAME_PREFIX);
        } catch (RuntimeException e) {
            // no iptables here: the child made no rules either
        }
    }

    @Test
    void theChildIsBerthAgentOnTheSameJavaAndClasspath() {
        assertThat(LocalNode.command(dir.resolve("k"), "lab-1", dir.resolve("agent")))
                .startsWith(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                        System.getProperty("java.class.path"))
                .containsSubsequence("dev.berth.app.cli.Main", "agent", "--kubeconfig", dir.resolve("k").toString(),
                        "--node-name", "lab-1", "--data-dir", dir.resolve("agent").toString());
    }

    @Test
    void closingStopsTheChild() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try (LocalNode node = new LocalNode(sleeper, dir.resolve("agent.log"))) {
            assertThat(node.process().isAlive()).isTrue();
        }
        assertThat(sleeper.isAlive()).isFalse();
        assertThat(sleeper.exitValue()).isEqualTo(143);
    }
}
