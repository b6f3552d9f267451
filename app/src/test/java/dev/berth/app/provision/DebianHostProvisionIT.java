package dev.berth.app.provision;

import dev.berth.agent.testing.TestDocker;
import dev.berth.core.pki.Kubeconfig;
import dev.berth.core.provision.Bundle;
import dev.berth.core.provision.BundleBuilder;
import dev.berth.core.provision.KnownHosts;
import dev.berth.core.provision.NodeInstaller;
import dev.berth.core.provision.Privileged;
import dev.berth.core.provision.Progress;
import dev.berth.core.provision.ProgressListener;
import dev.berth.core.provision.Prompter;
import dev.berth.core.provision.SshConnection;
import dev.berth.core.provision.SshConnector;
import dev.berth.core.provision.SshTarget;
import dev.berth.core.server.BerthServer;
import dev.berth.core.server.ServerOptions;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Adding a machine end to end: the real installer over real SSH to a Debian 12 test host
 * ({@link DebianTestHost}: sshd and its own dockerd in a privileged container), the real agent
 * from a real bundle, a real control plane listening where the host reaches it. The Node becomes
 * Ready, a pod runs there, a re-add leaves the agent alone, an upgrade keeps the pod's container,
 * and remove leaves nothing on the host (checked inside it) nor in the cluster.
 *
 * <p>The bundle is the agent's class path without a jlink runtime: the host runs this machine's
 * JDK 25 (mounted read-only), which keeps the bundle small and the test quick; the runtime is the
 * only part of a full bundle ({@code ./mvnw -Pbundle package}) this does not carry.
 */
@org.junit.jupiter.api.Disabled("written against the test host and the installer, not yet run to completion: enable once it passes")
class DebianHostProvisionIT {
    static final String PREFIX = TestDocker.runPrefix();
    static final String NODE = PREFIX + "node";

    @TempDir
    static Path dir;
    static DebianTestHost host;
    static BerthServer server;
    static KubernetesClient admin;
    static Kubeconfig cluster;
    static Path key;
    static KnownHosts knownHosts;
    static Bundle v1;
    static Bundle v2;
    static final List<Progress> progress = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        TestDocker.require();
        String busybox = TestDocker.busybox();
        String image = DebianTestHost.image(dir.resolve("image"));
        host = DebianTestHost.start(image, PREFIX, "host");
        host.loadImage(busybox, dir);
        key = host.rootLoginKey(dir.resolve("id_ed25519"));
        Files.writeString(dir.resolve("known_hosts"), host.knownHostsLine() + "\n");
        knownHosts = new KnownHosts(dir.resolve("known_hosts"), dir.resolve("berth_known_hosts"));
        server = new BerthServer(ServerOptions.defaults(dir.resolve("server")).withListen(host.gateway(), 0),
                Clock.systemUTC()).start();
        admin = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(server.adminKubeconfig()))).build();
        cluster = Kubeconfig.read(server.adminKubeconfig());
        List<Path> classpath = agentClasspath();
        v1 = new BundleBuilder("e2e.1", classpath).build(dir.resolve("bundles"), ProgressListener.NONE);
        v2 = new BundleBuilder("e2e.2", classpath).build(dir.resolve("bundles"), ProgressListener.NONE);
    }

    @AfterAll
    static void stop() {
        if (admin != null) admin.close();
        if (server != null) server.close();
        if (host != null) host.close();
    }

    /** The agent's class path: this JVM's, without what only the tests use. */
    static List<Path> agentClasspath() {
        return BundleBuilder.runningClasspath().stream().filter(p -> {
            String s = p.toString().replace('\\', '/');
            return !s.contains("/test-classes") && !s.endsWith("-tests.jar") && !s.contains("/surefire")
                    && !s.contains("/org/junit/") && !s.contains("/org/assertj/") && !s.contains("/org/awaitility/")
                    && !s.contains("/org/testfx/") && !s.contains("/org/opentest4j/") && !s.contains("/org/apiguardian/")
                    && !s.contains("/org/hamcrest/") && !s.contains("/openjfx-monocle/");
        }).toList();
    }

    SshConnection connect() {
        return new SshConnector(knownHosts, Prompter.NONE, Duration.ofSeconds(10)).connect(
                new SshTarget(host.ip(), host.ip(), 22, "root", List.of(key), List.of()), null, progress::add);
    }

    NodeInstaller installer() {
        return new NodeInstaller(admin, cluster, dev.berth.core.provision.RemoteLayout.SYSTEM, Clock.systemUTC(), progress::add);
    }

    NodeInstaller.Request request() {
        URI url = URI.create("https://" + server.address().getHostString() + ":" + server.address().getPort());
        return new NodeInstaller.Request(NODE, url, Map.of("lab/room", "e2e"), List.of(), 10250, Duration.ofSeconds(150));
    }

    /** The agent's JVM on the host (its command line names the agent's main class and "agent"). */
    String agentPid() throws Exception {
        // "[d]ev": the pattern does not match the shell running pgrep
        String pattern = "[" + BundleBuilder.MAIN_CLASS.charAt(0) + "]" + BundleBuilder.MAIN_CLASS.substring(1).replace(".", "\\.") + " agent";
        return host.exec("pgrep -f '" + pattern + "' | head -n 1").output().strip();
    }

    String containerId(String pod) {
        Pod p = admin.pods().inNamespace("default").withName(pod).get();
        return p.getStatus().getContainerStatuses().getFirst().getContainerID().replaceFirst("^docker://", "");
    }

    @Test
    void addRunsAPodReAddLeavesTheAgentUpgradeKeepsThePodAndRemoveLeavesNothing() throws Exception {
        // add: preflight, upload, bootstrap token -> certificate, supervised agent, Ready
        try (SshConnection c = connect()) {
            installer().add(c, Privileged.root(c), request(), v1);
        }
        assertThat(admin.nodes().withName(NODE).get().getMetadata().getLabels()).containsEntry("lab/room", "e2e");
        assertThat(host.check("readlink /opt/berth/current").strip()).isEqualTo("e2e.1");
        assertThat(host.exec("test -e /etc/berth/bootstrap.kubeconfig").exit()).isNotZero();
        assertThat(host.check("stat -c %a /etc/berth/node.kubeconfig").strip()).isEqualTo("600");

        // a pod runs there, in the host's own Docker engine
        admin.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("sleeper").endMetadata()
                .withNewSpec().withTerminationGracePeriodSeconds(1L).addNewContainer().withName("main").withImage(TestDocker.BUSYBOX)
                .withImagePullPolicy("Never").withCommand("sleep", "3600").endContainer().endSpec().build()).create();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
            Pod p = admin.pods().inNamespace("default").withName("sleeper").get();
            return p != null && p.getStatus() != null && "Running".equals(p.getStatus().getPhase());
        });
        assertThat(admin.pods().inNamespace("default").withName("sleeper").get().getSpec().getNodeName()).isEqualTo(NODE);
        String container = containerId("sleeper");
        assertThat(host.check("docker inspect -f '{{.State.Running}}' " + container).strip()).isEqualTo("true");

        // re-add with the same bundle: nothing uploaded, the agent left running
        String agent = agentPid();
        assertThat(agent).isNotEmpty();
        progress.clear();
        try (SshConnection c = connect()) {
            installer().add(c, Privileged.root(c), request(), v1);
        }
        assertThat(progress).anySatisfy(p -> assertThat(p.message()).contains("already installed (checksum matches); skipped"));
        assertThat(agentPid()).isEqualTo(agent);

        // upgrade: another bundle, the agent restarted, the pod's container untouched
        try (SshConnection c = connect()) {
            installer().upgrade(Privileged.root(c), request(), v2);
        }
        assertThat(host.check("readlink /opt/berth/current").strip()).isEqualTo("e2e.2");
        assertThat(host.exec("test -e /opt/berth/e2e.1").exit()).isNotZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> !agentPid().isEmpty() && !agentPid().equals(agent));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Pod p = admin.pods().inNamespace("default").withName("sleeper").get();
            assertThat(p.getStatus().getPhase()).isEqualTo("Running");
            assertThat(containerId("sleeper")).isEqualTo(container);
            assertThat(p.getStatus().getContainerStatuses().getFirst().getRestartCount()).isZero();
        });
        assertThat(host.check("docker inspect -f '{{.State.Running}}' " + container).strip()).isEqualTo("true");
        // the agent made its pod network: what remove must take away
        assertThat(host.check("ip -o link show").lines().anyMatch(l -> l.matches("^[0-9]+: berth[0-9a-f]{10}[@:].*"))).isTrue();
        assertThat(host.check("iptables-save")).contains(":BERTH-PN-");

        // remove: drained, stopped, and nothing left
        try (SshConnection c = connect()) {
            installer().remove(Privileged.root(c), NODE, Duration.ofSeconds(60));
        }
        assertThat(admin.nodes().withName(NODE).get()).isNull();
        assertThat(admin.pods().inNamespace("default").withName("sleeper").get()).isNull();
        for (String path : List.of("/opt/berth", "/etc/berth", "/var/lib/berth", "/etc/systemd/system/berth-agent.service")) {
            assertThat(host.exec("test -e " + path).exit()).as(path).isNotZero();
        }
        assertThat(host.check("docker ps -aq").strip()).as("containers on the host").isEmpty();
        assertThat(host.check("docker network ls -q --filter label=berth.dev/node").strip()).isEmpty();
        assertThat(agentPid()).as("the agent's process").isEmpty();
        assertThat(host.exec("pgrep -f '[b]erth-agent'").output().strip()).as("the supervisor").isEmpty();
        String rules = host.check("iptables-save");
        assertThat(rules).doesNotContain("BERTH-PN-").doesNotContain("BNP-").doesNotContain("BPROXY-");
        assertThat(host.check("ip -o link show").lines().filter(l -> l.matches("^[0-9]+: (berth[0-9a-f]{10}|bsvc-[0-9a-f]{8})[@:].*")))
                .isEmpty();
        assertThat(host.check("ip -4 route show proto 98").strip()).isEmpty();
    }
}
