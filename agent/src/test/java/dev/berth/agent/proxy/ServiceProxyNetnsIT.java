package dev.berth.agent.proxy;

import dev.berth.agent.network.HostCommand;
import dev.berth.agent.testing.TestDocker;
import dev.berth.core.apiserver.TestApiServer;
import dev.berth.core.controller.runtime.Informers;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static dev.berth.agent.proxy.ProxyFixtures.service;
import static dev.berth.agent.proxy.ProxyFixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The iptables mode with real traffic, all inside network namespaces this test makes: a "node"
 * namespace where the proxy programs its rules (through {@code nsenter}), routed by veth pairs to
 * a "client" namespace (a pod) and three "endpoint" namespaces running busybox httpd and an echo
 * server. Services and EndpointSlices come from a real API server through informers, as on a node.
 */
class ServiceProxyNetnsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final String NODE = "n1";
    private static final String CLUSTER_DNS = "10.43.0.10";

    @TempDir
    static Path dir;
    static String prefix;
    static String hex;
    static String net;
    static String gateway;
    static TestApiServer api;
    static KubernetesClient client;
    static Informers informers;
    static ServiceProxy proxy;
    static HostCommand node;
    static HostCommand clientNs;
    static final List<String> namespaces = new ArrayList<>();
    static final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void lab() throws Exception {
        requireTools();
        prefix = TestDocker.runPrefix();
        hex = prefix.substring(TestDocker.PREFIX.length(), prefix.length() - 1);
        net = "10." + (240 + ThreadLocalRandom.current().nextInt(16)) + "." + ThreadLocalRandom.current().nextInt(256) + ".";
        gateway = net + "1";
        HostCommand host = HostCommand.local();
        for (String role : List.of("node", "client", "sink", "e1", "e2", "e3")) {
            host.check(List.of("ip", "netns", "add", prefix + role), null);
            namespaces.add(prefix + role);
            host.check(List.of("ip", "-n", prefix + role, "link", "set", "lo", "up"), null);
        }
        node = ns("node");
        clientNs = new HostCommand("/var/run/netns/" + prefix + "client", Duration.ofSeconds(5));
        node.check(List.of(BUSYBOX.toString(), "sysctl", "-w", "net.ipv4.ip_forward=1"), null);
        link("client", net + "100");
        // like a real node, a default route: traffic to a cluster IP without rules goes there (a namespace that does
        // not forward, so it is lost) unless the proxy rejects it
        link("sink", net + "250");
        host.check(List.of("ip", "-n", prefix + "node", "route", "add", "default", "via", net + "250"), null);
        for (int i = 1; i <= 3; i++) {
            String role = "e" + i;
            link(role, endpointIp(i));
            Path www = Files.createDirectories(dir.resolve("www-" + role));
            Files.writeString(www.resolve("index.html"), role + "\n");
            start(role, BUSYBOX.toString(), "httpd", "-f", "-p", "8080", "-h", www.toString());
            start(role, BUSYBOX.toString(), "nc", "-ll", "-p", "9000", "-e", "/bin/cat");
        }
        // the node-local DNS listener stand-in: an HTTP server on the gateway's port 53
        Path dnsRoot = Files.createDirectories(dir.resolve("www-dns"));
        Files.writeString(dnsRoot.resolve("index.html"), "node-local\n");
        start("node", BUSYBOX.toString(), "httpd", "-f", "-p", gateway + ":53", "-h", dnsRoot.toString());

        api = new TestApiServer(dir.resolve("api"));
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(api.kubeconfig()))).build();
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(NODE).endMetadata().build()).create();
        proxy = startProxy();
    }

    /** A proxy as a freshly started agent has it: new informers, a new dataplane that has applied nothing. */
    static ServiceProxy startProxy() {
        informers = new Informers(client);
        IptablesRules rules = new IptablesRules(prefix, net + "0/24", "10.43.0.0/16");
        ServiceProxy p = new ServiceProxy(new ProxyModel.Settings(NODE, CLUSTER_DNS, gateway),
                ServiceProxy.informerSource(informers), new IptablesDataplane(node, rules), Clock.systemUTC(),
                mode -> ServiceProxy.annotateNode(client, NODE, mode)).start(informers);
        informers.start();
        return p;
    }

    @AfterAll
    static void teardown() {
        try {
            if (proxy != null) proxy.close();
            if (informers != null) informers.close();
            if (client != null) client.close();
            if (api != null) api.close();
        } finally {
            for (Process p : processes) {
                p.destroyForcibly();
            }
            for (String n : namespaces) {
                HostCommand.local().run(List.of("ip", "netns", "del", n), null);
            }
        }
    }

    private static void requireTools() {
        String reason = null;
        if (!"root".equals(System.getProperty("user.name"))) reason = "needs root to make network namespaces";
        else if (!Files.isExecutable(BUSYBOX)) reason = BUSYBOX + " is missing (Debian package busybox-static)";
        else if (!HostCommand.available("nsenter") || !HostCommand.available("ip")
                || !HostCommand.available("iptables-restore")) reason = "nsenter, ip or iptables-restore is missing";
        if (reason != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new AssertionError(reason + " (required when CI=true)");
            Assumptions.abort(reason);
        }
    }

    private static HostCommand ns(String role) {
        return new HostCommand("/var/run/netns/" + prefix + role, Duration.ofSeconds(30));
    }

    private static String endpointIp(int i) {
        return net + (10 + i);
    }

    /** A routed veth pair from the node namespace to {@code role}, which gets {@code ip} and a default route via the gateway. */
    private static void link(String role, String ip) {
        String outer = "v" + hex + role;
        String inner = "p" + hex + role;
        HostCommand h = HostCommand.local();
        String nodeNs = prefix + "node";
        String other = prefix + role;
        h.check(List.of("ip", "-n", nodeNs, "link", "add", outer, "type", "veth", "peer", "name", inner, "netns", other), null);
        h.check(List.of("ip", "-n", nodeNs, "addr", "add", gateway + "/32", "dev", outer), null);
        h.check(List.of("ip", "-n", nodeNs, "link", "set", outer, "up"), null);
        h.check(List.of("ip", "-n", nodeNs, "route", "add", ip + "/32", "dev", outer), null);
        h.check(List.of("ip", "-n", other, "addr", "add", ip + "/32", "dev", inner), null);
        h.check(List.of("ip", "-n", other, "link", "set", inner, "up"), null);
        h.check(List.of("ip", "-n", other, "route", "add", gateway + "/32", "dev", inner), null);
        h.check(List.of("ip", "-n", other, "route", "add", "default", "via", gateway, "dev", inner), null);
    }

    private static Process start(String role, String... argv) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=/var/run/netns/" + prefix + role, "--"));
        cmd.addAll(List.of(argv));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        processes.add(p);
        return p;
    }

    /** One HTTP GET from the client namespace: the body, or "error: ..." with wget's complaint. */
    private static String fetch(String ip, int port) {
        // (no -T: this busybox's wget crashes with it; the command's own time limit stands in)
        HostCommand.Result r;
        try {
            r = clientNs.run(List.of(BUSYBOX.toString(), "wget", "-q", "-O", "-", "http://" + ip + ":" + port + "/"), null);
        } catch (HostCommand.CommandFailedException e) {
            return "error: " + e.getMessage();
        }
        return r.ok() ? r.stdout().strip() : "error: " + r.stderr().strip();
    }

    private static Set<String> fetchMany(String ip, int port, int n) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < n; i++) seen.add(fetch(ip, port));
        return seen;
    }

    private static Service create(Service s) {
        return client.services().inNamespace("default").resource(s).create();
    }

    private static void putSlice(EndpointSlice s) {
        client.resource(s).inNamespace("default").createOr(r -> r.update());
    }

    private static String nat() {
        return node.check(List.of("iptables-save", "-t", "nat"), null);
    }

    @Test
    void aClusterIpConnectionReachesOnlyReadyEndpointsAndFollowsEndpointChanges() {
        Service web = create(service("default", "web", null, "http:80->http").editSpec().withClusterIP(null)
                .withClusterIPs().endSpec().build());
        String vip = web.getSpec().getClusterIP();
        putSlice(slice("default", "web", "web-1", List.of("http:8080"), ProxyFixtures.Ep.ready(endpointIp(1)),
                ProxyFixtures.Ep.ready(endpointIp(2)), ProxyFixtures.Ep.notReady(endpointIp(3))));
        await().atMost(WAIT).untilAsserted(() -> assertThat(fetchMany(vip, 80, 24)).containsExactlyInAnyOrder("e1", "e2"));

        // e1 and e2 fail their readiness probes, e3 passes
        putSlice(slice("default", "web", "web-1", List.of("http:8080"), ProxyFixtures.Ep.notReady(endpointIp(1)),
                ProxyFixtures.Ep.notReady(endpointIp(2)), ProxyFixtures.Ep.ready(endpointIp(3))));
        await().atMost(WAIT).untilAsserted(() -> assertThat(fetchMany(vip, 80, 10)).containsExactly("e3"));

        // nothing ready: connections are refused at once instead of hanging
        putSlice(slice("default", "web", "web-1", List.of("http:8080"), ProxyFixtures.Ep.notReady(endpointIp(3))));
        await().atMost(WAIT).untilAsserted(() -> assertThat(fetch(vip, 80)).startsWith("error:").contains("refused"));
    }

    @Test
    void removingAServiceRemovesItsRules() {
        Service gone = create(service("default", "gone", null, ":80->8080").editSpec().withClusterIP(null)
                .withClusterIPs().endSpec().build());
        String vip = gone.getSpec().getClusterIP();
        putSlice(slice("default", "gone", "gone-1", List.of(":8080"), ProxyFixtures.Ep.ready(endpointIp(1))));
        await().atMost(WAIT).untilAsserted(() -> assertThat(fetch(vip, 80)).isEqualTo("e1"));
        assertThat(nat()).contains("-d " + vip + "/32");

        client.services().inNamespace("default").withName("gone").delete();
        await().atMost(WAIT).untilAsserted(() -> assertThat(nat()).doesNotContain(vip + "/32")
                .doesNotContain("default/gone"));
        assertThat(node.check(List.of("iptables-save", "-t", "filter"), null)).doesNotContain(vip);
    }

    @Test
    void clientIpAffinityKeepsAClientOnOneEndpoint() {
        Service sticky = create(service("default", "sticky", null, ":80->8080").editSpec().withClusterIP(null)
                .withClusterIPs().withSessionAffinity("ClientIP").endSpec().build());
        String vip = sticky.getSpec().getClusterIP();
        putSlice(slice("default", "sticky", "sticky-1", List.of(":8080"), ProxyFixtures.Ep.ready(endpointIp(1)),
                ProxyFixtures.Ep.ready(endpointIp(2)), ProxyFixtures.Ep.ready(endpointIp(3))));
        await().atMost(WAIT).untilAsserted(() -> assertThat(fetch(vip, 80)).matches("e[123]"));
        assertThat(fetchMany(vip, 80, 15)).hasSize(1);
    }

    @Test
    void aNodePortAnswersOnTheNodesAddressAndHostPortsReachTheirPod() {
        create(service("default", "np", null, ":80->8080").editSpec().withType("NodePort").withClusterIP(null)
                .withClusterIPs().editFirstPort().withNodePort(30080).endPort().endSpec().build());
        putSlice(slice("default", "np", "np-1", List.of(":8080"), ProxyFixtures.Ep.ready(endpointIp(2))));
        await().atMost(WAIT).untilAsserted(() -> assertThat(fetch(gateway, 30080)).isEqualTo("e2"));

        Pod pod = client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("hp").endMetadata()
                .withNewSpec().withNodeName(NODE).addNewContainer().withName("c").withImage("busybox")
                .withPorts(new ContainerPortBuilder().withContainerPort(8080).withHostPort(8081).build()).endContainer()
                .endSpec().build()).create();
        client.pods().inNamespace("default").resource(new PodBuilder(pod).withNewStatus().withPhase("Running")
                .withPodIP(endpointIp(3)).endStatus().build()).updateStatus();
        await().atMost(WAIT).untilAsserted(() -> assertThat(fetch(gateway, 8081)).isEqualTo("e3"));
    }

    @Test
    void theClusterDnsAddressLeadsToTheNodeLocalListener() {
        await().atMost(WAIT).untilAsserted(() -> assertThat(fetch(CLUSTER_DNS, 53)).isEqualTo("node-local"));
    }

    @Test
    void theModeIsOnTheNode() {
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.nodes().withName(NODE).get().getMetadata().getAnnotations())
                .containsEntry(ServiceProxy.MODE_ANNOTATION, "iptables"));
    }

    @Test
    void anEstablishedConnectionSurvivesAnAgentRestart() throws Exception {
        Service echo = create(service("default", "echo", null, ":9000->9000").editSpec().withClusterIP(null)
                .withClusterIPs().endSpec().build());
        String vip = echo.getSpec().getClusterIP();
        putSlice(slice("default", "echo", "echo-1", List.of(":9000"), ProxyFixtures.Ep.ready(endpointIp(1))));
        await().atMost(WAIT).until(() -> nat().contains("-d " + vip + "/32"));

        Process conn = new ProcessBuilder("nsenter", "--net=/var/run/netns/" + prefix + "client", "--",
                BUSYBOX.toString(), "nc", vip, "9000").start();
        processes.add(conn);
        OutputStream out = conn.getOutputStream();
        BufferedReader in = new BufferedReader(new InputStreamReader(conn.getInputStream(), StandardCharsets.UTF_8));
        assertThat(roundTrip(out, in, "before")).isEqualTo("before");

        // the agent stops: its rules stay
        proxy.close();
        informers.close();
        assertThat(nat()).contains("-d " + vip + "/32");
        String rulesBefore = nat();

        // a new agent renders everything again in place
        proxy = startProxy();
        await().atMost(WAIT).until(() -> proxy.programmedCount() >= 1);
        assertThat(((IptablesDataplane) proxy.dataplane()).lastInput()).contains(":" + IptablesRules.stem(prefix) + "SERVICES");
        assertThat(serviceRules(nat())).isEqualTo(serviceRules(rulesBefore));
        assertThat(roundTrip(out, in, "after")).isEqualTo("after");
        assertThat(conn.isAlive()).isTrue();
        conn.destroy();
    }

    /** The proxy's rules of an iptables-save dump, without the counters and comments that may differ between dumps. */
    private static List<String> serviceRules(String saved) {
        return saved.lines().filter(l -> l.contains(IptablesRules.stem(prefix))).filter(l -> !l.startsWith("#")).sorted().toList();
    }

    private static String roundTrip(OutputStream out, BufferedReader in, String line) throws Exception {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return CompletableFuture.supplyAsync(() -> {
            try {
                return in.readLine();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(10, TimeUnit.SECONDS);
    }
}
