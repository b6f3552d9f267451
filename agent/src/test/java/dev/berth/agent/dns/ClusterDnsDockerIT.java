package dev.berth.agent.dns;

import dev.berth.agent.Agent;
import dev.berth.agent.AgentOptions;
import dev.berth.agent.Privileges;
import dev.berth.agent.ProductionParts;
import dev.berth.agent.identity.NodeCredentials;
import dev.berth.agent.testing.TestDocker;
import dev.berth.core.server.BerthServer;
import dev.berth.core.server.ServerOptions;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;

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
 * End to end on a one-node cluster with real Docker: the agent's cluster DNS on the pod network's
 * gateway answers a busybox pod that resolves a Service by its short name through the search list
 * of its resolv.conf, and a name outside the cluster through the agent's (test) upstream. The pod
 * points at the gateway itself (dnsPolicy None): reaching it through the cluster DNS address is the
 * service proxy's DNAT, not part of this test.
 */
class ClusterDnsDockerIT {
    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final String NODE = "dns-node";

    @TempDir
    static Path dir;
    static String prefix;
    static String image;
    static BerthServer server;
    static KubernetesClient admin;
    static Agent agent;
    static FakeUpstream upstream;

    @BeforeAll
    static void start() throws Exception {
        TestDocker.require();
        image = TestDocker.busybox();
        prefix = TestDocker.runPrefix();
        String clusterCidr = freeClusterCidr();
        upstream = new FakeUpstream(InetAddress.ofLiteral("127.0.0." + (2 + ThreadLocalRandom.current().nextInt(250))));
        upstream.add(new ARecord(Name.fromConstantString("www.example.test."), DClass.IN, 60, InetAddress.ofLiteral("192.0.2.10")));
        server = new BerthServer(ServerOptions.defaults(dir.resolve("server")).withListen("127.0.0.1", 0)
                .withClusterCidr(clusterCidr), Clock.systemUTC()).start();
        admin = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(server.adminKubeconfig()))).build();
        Path kubeconfig = dir.resolve("node.kubeconfig");
        NodeCredentials.issue(server.pki().ca(), "https://127.0.0.1:" + server.address().getPort(), NODE,
                NodeCredentials.DEFAULT_VALIDITY).write(kubeconfig);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String up = upstream.address().getAddress().getHostAddress() + ":" + upstream.address().getPort();
        AgentOptions options = AgentOptions.defaults(kubeconfig).withNodeName(NODE).withDataDir(dir.resolve("agent"))
                .withPort(port).withNamePrefix(prefix).withNodeIp(InetAddress.getLoopbackAddress())
                .withClusterCidr(clusterCidr).withDnsUpstreams(List.of(up))
                // this test runs in the machine's own namespace: no Service or pod network rules there
                .withProxyMode(AgentOptions.ProxyMode.NONE);
        agent = Agent.fromKubeconfig(options, ProductionParts.withoutPodNetworkRules(), Privileges.system(),
                Clock.systemUTC()).start();
        // the node's podCIDR is node IPAM's to give; on a loaded machine the controllers may start late,
        // and this test is about DNS, so it gives the first /24 itself when none is there yet
        String podCidr = clusterCidr.replace(".0/20", ".0/24");
        await().atMost(WAIT).ignoreExceptions().until(() -> {
            Node node = admin.nodes().withName(NODE).get();
            if (node != null && (node.getSpec().getPodCIDR() == null || node.getSpec().getPodCIDR().isEmpty())) {
                admin.nodes().withName(NODE).edit(n -> new NodeBuilder(n).editSpec().withPodCIDR(podCidr)
                        .withPodCIDRs(podCidr).endSpec().build());
            }
            return agent.podCidr().isPresent();
        });
        // a node is NotReady until its first status says otherwise, and the not-ready NoExecute taint
        // evicts a pod bound to it after the lab's short default toleration: create pods once it is Ready
        await().atMost(WAIT).ignoreExceptions().until(() -> admin.nodes().withName(NODE).get().getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())));
    }

    /** A random /20 in 10.240.0.0/12 that overlaps none of the engine's networks, so the node's bridge can be made. */
    static String freeClusterCidr() throws Exception {
        String ids = TestDocker.docker("network", "ls", "-q").output().strip().replace('\n', ' ');
        List<String> args = new java.util.ArrayList<>(List.of("network", "inspect", "--format",
                "{{range .IPAM.Config}}{{.Subnet}} {{end}}"));
        args.addAll(List.of(ids.split("\\s+")));
        List<String> taken = List.of(TestDocker.docker(args.toArray(String[]::new)).output().trim().split("\\s+"));
        for (int attempt = 0; ; attempt++) {
            int second = 240 + ThreadLocalRandom.current().nextInt(16);
            int third = 16 * ThreadLocalRandom.current().nextInt(16);
            boolean overlaps = taken.stream().filter(t -> t.matches("[0-9.]+/[0-9]+")).anyMatch(t -> {
                String[] p = t.split("[./]");
                int bits = Integer.parseInt(p[4]);
                long net = (Long.parseLong(p[0]) << 24) | (Long.parseLong(p[1]) << 16) | (Long.parseLong(p[2]) << 8) | Long.parseLong(p[3]);
                long ours = (10L << 24) | ((long) second << 16) | ((long) third << 8);
                int common = Math.min(bits, 20);
                long mask = (0xffffffffL << (32 - common)) & 0xffffffffL;
                return (net & mask) == (ours & mask);
            });
            if (!overlaps || attempt > 100) return "10." + second + "." + third + ".0/20";
        }
    }

    /** The id of the client pod's running container, or empty. */
    static String container() throws Exception {
        return TestDocker.docker("ps", "-q", "--filter", "name=" + prefix, "--filter", "label=berth.dev/pod-name=client",
                "--filter", "label=berth.dev/container-name=main").output().strip();
    }

    static TestDocker.Result exec(String... command) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("exec", container()));
        args.addAll(List.of(command));
        return TestDocker.docker(args.toArray(String[]::new));
    }

    @AfterAll
    static void stop() {
        try {
            if (agent != null) agent.close();
            if (admin != null) admin.close();
            if (server != null) server.close();
            if (upstream != null) upstream.close();
        } finally {
            if (prefix != null) TestDocker.removeAll(prefix);
        }
    }

    @Test
    void aPodResolvesAServiceByItsShortNameAndOtherNamesThroughTheUpstream() throws Exception {
        String clusterIp = admin.services().inNamespace("default").resource(new ServiceBuilder()
                .withNewMetadata().withName("web").endMetadata()
                .withNewSpec().addNewPort().withName("http").withPort(80).endPort().endSpec().build()).create()
                .getSpec().getClusterIP();
        String gateway = Agent.gateway(agent.podCidr().orElseThrow());
        admin.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("client").endMetadata()
                .withNewSpec().withNodeName(NODE)
                .addNewContainer().withName("main").withImage(image).withCommand("sleep", "3600").endContainer()
                .withTerminationGracePeriodSeconds(1L)
                .withDnsPolicy("None").withNewDnsConfig().withNameservers(gateway)
                .withSearches("default.svc.cluster.local", "svc.cluster.local", "cluster.local")
                .addNewOption().withName("ndots").withValue("5").endOption().endDnsConfig()
                .endSpec().build()).create();
        // straight into the container (the control plane's exec path is not what this test is about)
        await().atMost(WAIT).until(() -> !container().isEmpty());

        TestDocker.Result conf = exec("cat", "/etc/resolv.conf");
        assertThat(conf.output()).contains("nameserver " + gateway).contains("search default.svc.cluster.local");

        // busybox's nslookup asks every name of the search list at once and exits 1 when any of them
        // is NXDOMAIN, even with an answer: the printed answers are what counts
        await().atMost(WAIT).untilAsserted(() -> assertThat(exec("nslookup", "-type=a", "web").output()).containsPattern(
                "Name:\\s+web\\.default\\.svc\\.cluster\\.local\\s+Address:\\s+" + clusterIp.replace(".", "\\.")));
        TestDocker.Result external = exec("nslookup", "-type=a", "www.example.test");
        assertThat(external.output()).containsPattern("Name:\\s+www\\.example\\.test\\s+Address:\\s+192\\.0\\.2\\.10");
        TestDocker.Result missing = exec("nslookup", "-type=a", "nope.default.svc.cluster.local");
        assertThat(missing.exit()).as(missing.output()).isNotZero();
        assertThat(missing.output()).contains("NXDOMAIN").doesNotContain("Address: 1");
    }
}
