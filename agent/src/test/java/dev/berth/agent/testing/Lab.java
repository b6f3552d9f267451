package dev.berth.agent.testing;

import dev.berth.agent.identity.NodeCredentials;
import dev.berth.agent.network.HostCommand;
import dev.berth.agent.runtime.RuntimeLabels;
import dev.berth.core.server.BerthServer;
import dev.berth.core.server.ServerOptions;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * A multi-node Berth cluster on one machine, for end-to-end tests of networking: every node is a
 * network namespace of its own with its own address, its own dockerd and its own agent (a child
 * JVM running {@link LabAgent}, that is {@code dev.berth.agent.Agent} with {@code ProductionParts}),
 * and a real control plane ({@link BerthServer}) runs in the test JVM.
 *
 * <h2>Layout</h2>
 * <pre>
 *   host namespace (test JVM: control plane on hostAddress())
 *        | veth bt&lt;hex&gt;h0 = X.Y.Z.1/24
 *   &lt;prefix&gt;sw: bridge br0 (the lab's L2 switch)
 *        | p1             | p2             ...
 *   &lt;prefix&gt;n1: eth0    &lt;prefix&gt;n2: eth0
 *     X.Y.Z.11/24          X.Y.Z.12/24
 *     dockerd, agent       dockerd, agent
 * </pre>
 * The switch lives in a namespace of its own, not in the host's: the machine's dockerd sets the
 * host's FORWARD policy to DROP, and with br_netfilter loaded bridged frames between the nodes
 * would go through it. The lab subnet is a random /24 inside 10.240.0.0/12 that no route of the
 * host's covers; the cluster CIDR (a /20, a /24 per node) and each dockerd's default bridge are
 * other random ranges there, seen only inside the nodes. Nodes have no default route: their
 * traffic goes only to the lab. Each node has {@code net.ipv4.ip_forward=1} and, as on a host
 * where Docker enabled forwarding itself, FORWARD policy DROP, so tests prove that the agent's
 * rules let cluster traffic through. The host address is also the lab's "outside" host: a test
 * listening there sees traffic of pods leaving the cluster range, masqueraded to their node's
 * address.
 *
 * <h2>Use</h2>
 * <pre>
 *   static Lab lab;
 *   &#64;BeforeAll static void start() throws Exception { lab = Lab.builder().nodes(2).start(); }
 *   &#64;AfterAll static void stop() { if (lab != null) lab.close(); }
 *   ... lab.admin() creates objects; lab.node(0).name() is a node to pin pods to;
 *   lab.node(1).execInPod("default", "web", "main", "wget", "-qO-", "http://...") runs in a pod;
 *   lab.node(0).run("ip", "route") runs a tool inside a node's namespace.
 * </pre>
 * {@link Builder#agentArgs} adds {@code berth agent} options to every agent (for example
 * {@code --ingress} or {@code --dns-upstream 10.x.y.1:5353} for a resolver the test runs on the host
 * address). Everything the lab makes is named with its {@link #prefix()} (a
 * {@link TestDocker#runPrefix()}), and {@link #close()} removes it all: agents, dockerds and their
 * containers, namespaces, veths, the temp dir. Leftovers of earlier runs whose test JVM is gone are
 * removed at start ({@link #removeLeftovers()}); {@code .ci/run} removes all of them.
 */
public final class Lab implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(240);
    private static final Pattern RUN = Pattern.compile("^(" + Pattern.quote(TestDocker.PREFIX) + "[0-9a-f]{6}-)");

    private final String prefix;
    private final String tag;
    private final Path root;
    private final String base;
    private final String clusterCidr;
    private final List<LabNode> nodes = new ArrayList<>();
    private String image;
    private BerthServer server;
    private KubernetesClient admin;
    private boolean switchMade;

    /** How the lab is made. */
    public static final class Builder {
        private int nodes = 2;
        private final List<String> agentArgs = new ArrayList<>();

        /** How many nodes (1 to 9; default 2). */
        public Builder nodes(int n) {
            if (n < 1 || n > 9) throw new IllegalArgumentException("nodes " + n + " must be between 1 and 9");
            this.nodes = n;
            return this;
        }

        /** Further {@code berth agent} options for every node's agent. */
        public Builder agentArgs(String... args) {
            agentArgs.addAll(List.of(args));
            return this;
        }

        /** Makes the lab and waits until every node is Ready; on failure, removes what it made. */
        public Lab start() throws Exception {
            TestDocker.require();
            requireTools();
            Lab lab = new Lab();
            try {
                lab.make(nodes, agentArgs);
                return lab;
            } catch (Exception | AssertionError e) {
                lab.close();
                throw e;
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    private Lab() {
        removeLeftovers();
        prefix = TestDocker.runPrefix();
        tag = prefix.substring(TestDocker.PREFIX.length(), prefix.length() - 1);
        root = Path.of("/tmp", prefix + "lab");
        base = freeSubnet();
        String lab = base + "0/24";
        String cluster;
        do {
            cluster = randomBlock(20);
        } while (overlaps(cluster, lab));
        clusterCidr = cluster;
    }

    // --- what tests use ---------------------------------------------------------------------------

    /** The prefix of everything this lab makes ({@code berth-test-<hex>-}); the agents' name prefix. */
    public String prefix() {
        return prefix;
    }

    /** The host's address on the lab network, where the control plane listens: the lab's "outside" host. */
    public String hostAddress() {
        return base + "1";
    }

    /** The lab network, a /24. */
    public String subnet() {
        return base + "0/24";
    }

    /** The cluster's pod range (each node gets a /24 of it). */
    public String clusterCidr() {
        return clusterCidr;
    }

    public BerthServer server() {
        return server;
    }

    /** A client with the admin's credentials. */
    public KubernetesClient admin() {
        return admin;
    }

    /** The admin kubeconfig (for {@code dev.berth.core.testing.Kubectl}). */
    public Path adminKubeconfig() {
        return server.adminKubeconfig();
    }

    /** The busybox image, present on every node ({@link TestDocker#busybox()}). */
    public String image() {
        return image;
    }

    public LabNode node(int index) {
        return nodes.get(index);
    }

    public List<LabNode> nodes() {
        return List.copyOf(nodes);
    }

    /** The lab's temp dir (the nodes' engines, data dirs and logs are below it). */
    public Path root() {
        return root;
    }

    /** One node of the lab. */
    public final class LabNode {
        private final int index;
        private final String name;
        private final String ip;
        private final String netnsName;
        private final Path dir;
        private final String bip;
        private Process dockerd;
        private Process agent;

        private LabNode(int index) {
            this.index = index;
            this.name = "lab-" + tag + "-n" + (index + 1);
            this.ip = base + (11 + index);
            this.netnsName = prefix + "n" + (index + 1);
            this.dir = root.resolve("n" + (index + 1));
            String b;
            do {
                b = randomBlock(24);
            } while (overlaps(b, clusterCidr) || overlaps(b, subnet()));
            this.bip = b.replace(".0/24", ".1/24");
        }

        /** The Node's name. */
        public String name() {
            return name;
        }

        /** Its address on the lab network ({@code --node-ip}). */
        public String ip() {
            return ip;
        }

        /** Its network namespace's path, for {@code nsenter --net=} or {@link HostCommand}. */
        public String netns() {
            return "/var/run/netns/" + netnsName;
        }

        /** Its dockerd. */
        public URI dockerHost() {
            return URI.create("unix://" + dir.resolve("docker.sock"));
        }

        /** Commands inside its network namespace. */
        public HostCommand host() {
            return new HostCommand(netns(), Duration.ofSeconds(60));
        }

        /** Runs a tool inside its network namespace. */
        public HostCommand.Result run(String... argv) {
            return host().run(List.of(argv), null);
        }

        /** Runs {@code docker} against its engine. */
        public TestDocker.Result docker(String... args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of("docker", "-H", dockerHost().toString()));
            cmd.addAll(List.of(args));
            return exec(cmd);
        }

        /** Turns IP forwarding in its namespace on or off. */
        public void ipForward(boolean on) {
            HostCommand.Result r = run("sysctl", "-w", "net.ipv4.ip_forward=" + (on ? 1 : 0));
            if (!r.ok()) throw new IllegalStateException("sysctl in " + netnsName + ": " + r.stderr());
        }

        /** The id of the running container {@code container} of pod {@code namespace/pod} on this node. */
        public Optional<String> containerId(String namespace, String pod, String container) throws IOException {
            TestDocker.Result r = docker("ps", "-q", "--no-trunc",
                    "--filter", "label=" + RuntimeLabels.POD_NAMESPACE + "=" + namespace,
                    "--filter", "label=" + RuntimeLabels.POD_NAME + "=" + pod,
                    "--filter", "label=" + RuntimeLabels.CONTAINER_NAME + "=" + container);
            return Arrays.stream(r.output().split("\\s+")).filter(s -> !s.isBlank()).findFirst();
        }

        /** Runs {@code argv} in a container of a pod on this node ({@code docker exec}); its exit code and output. */
        public TestDocker.Result execInPod(String namespace, String pod, String container, String... argv) throws IOException {
            String id = containerId(namespace, pod, container).orElseThrow(() -> new AssertionError(
                    "no running container " + container + " of pod " + namespace + "/" + pod + " on " + name));
            List<String> args = new ArrayList<>(List.of("exec", id));
            args.addAll(List.of(argv));
            return docker(args.toArray(String[]::new));
        }

        /** What its agent has logged so far. */
        public String agentLog() {
            try {
                Path log = dir.resolve("agent.log");
                return Files.exists(log) ? Files.readString(log) : "";
            } catch (IOException e) {
                return "(cannot read the agent log: " + e + ")";
            }
        }

        /** The Node as the API has it, or null. */
        public Node get() {
            return admin.nodes().withName(name).get();
        }

        private void make() throws Exception {
            Files.createDirectories(dir);
            sh("ip", "netns", "add", netnsName);
            sw("link", "add", "p" + (index + 1), "type", "veth", "peer", "name", "eth0", "netns", netnsName);
            sw("link", "set", "p" + (index + 1), "master", "br0", "up");
            sh("ip", "-n", netnsName, "addr", "add", ip + "/24", "dev", "eth0");
            sh("ip", "-n", netnsName, "link", "set", "eth0", "up");
            sh("ip", "-n", netnsName, "link", "set", "lo", "up");
            ipForward(true);
            startDockerd();
            // as on a host where dockerd enabled forwarding itself: forwarded traffic needs a rule
            HostCommand.Result drop = run("iptables", "-P", "FORWARD", "DROP");
            if (!drop.ok()) throw new IllegalStateException("iptables -P FORWARD DROP: " + drop.stderr());
            TestDocker.Result load = docker("load", "-i", root.resolve("busybox.tar").toString());
            if (load.exit() != 0) throw new IllegalStateException("docker load on " + name + ": " + load.output());
        }

        private void startDockerd() throws Exception {
            Files.createDirectories(dir.resolve("data"));
            Files.createDirectories(dir.resolve("exec"));
            // nsenter --net only: `ip netns exec` would also remount /sys, hiding the cgroup mounts dockerd needs
            dockerd = new ProcessBuilder("nsenter", "--net=" + netns(), "dockerd",
                    "--data-root", dir.resolve("data").toString(), "--exec-root", dir.resolve("exec").toString(),
                    "--pidfile", dir.resolve("docker.pid").toString(), "-H", dockerHost().toString(),
                    "--bip", bip, "--iptables=true", "--ip6tables=false")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("dockerd.log").toFile()))
                    .start();
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (!dockerd.isAlive()) {
                    throw new AssertionError("dockerd of " + name + " exited: " + Files.readString(dir.resolve("dockerd.log")));
                }
                return docker("version", "--format", "{{.Server.Version}}").exit() == 0;
            });
        }

        private void startAgent(List<String> extra) throws IOException {
            Path kubeconfig = dir.resolve("node.kubeconfig");
            NodeCredentials.issue(server.pki().ca(), "https://" + hostAddress() + ":" + server.address().getPort(), name,
                    NodeCredentials.DEFAULT_VALIDITY).write(kubeconfig);
            List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=" + netns(),
                    ProcessHandle.current().info().command().orElse("java"),
                    "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"), LabAgent.class.getName(),
                    "--kubeconfig", kubeconfig.toString(), "--node-name", name, "--node-ip", ip,
                    "--data-dir", dir.resolve("agent").toString(), "--docker-host", dockerHost().toString(),
                    "--name-prefix", prefix, "--cluster-cidr", clusterCidr));
            cmd.addAll(extra);
            agent = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("agent.log").toFile())).start();
            Files.writeString(dir.resolve("agent.pid"), Long.toString(agent.pid()));
        }

        private boolean ready() {
            if (agent != null && !agent.isAlive()) {
                throw new AssertionError("the agent of " + name + " exited: " + tail(agentLog()));
            }
            Node node = get();
            return node != null && node.getStatus() != null && node.getStatus().getConditions() != null
                    && node.getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        }

        private void stopAgent() {
            stop(agent);
        }

        private void remove() {
            try {
                if (dockerd != null && dockerd.isAlive()) {
                    TestDocker.Result ids = docker("ps", "-aq");
                    for (String id : ids.output().split("\\s+")) {
                        if (!id.isBlank()) docker("rm", "-f", "-v", id.strip());
                    }
                }
            } catch (IOException e) {
                // the engine goes anyway
            }
            stop(dockerd);
            quietly("ip", "netns", "del", netnsName);
        }

        @Override
        public String toString() {
            return name + " (" + ip + ")";
        }
    }

    // --- making and removing -------------------------------------------------------------------------

    private void make(int count, List<String> agentArgs) throws Exception {
        Files.createDirectories(root);
        Files.writeString(root.resolve("owner.pid"), Long.toString(ProcessHandle.current().pid()));
        image = TestDocker.busybox();
        TestDocker.Result saved = TestDocker.docker("save", "-o", root.resolve("busybox.tar").toString(), image);
        if (saved.exit() != 0) throw new IllegalStateException("docker save " + image + ": " + saved.output());

        String sw = prefix + "sw";
        sh("ip", "netns", "add", sw);
        switchMade = true;
        sw("link", "add", "br0", "type", "bridge");
        sw("link", "set", "br0", "up");
        sw("link", "set", "lo", "up");
        // frames between nodes are switched, not filtered
        quietly("nsenter", "--net=/var/run/netns/" + sw, "sysctl", "-w", "net.bridge.bridge-nf-call-iptables=0");
        sh("ip", "link", "add", hostVeth(), "type", "veth", "peer", "name", "up0", "netns", sw);
        sh("ip", "addr", "add", hostAddress() + "/24", "dev", hostVeth());
        sh("ip", "link", "set", hostVeth(), "up");
        sw("link", "set", "up0", "master", "br0", "up");

        for (int i = 0; i < count; i++) {
            LabNode node = new LabNode(i);
            nodes.add(node);
            node.make();
        }

        server = new BerthServer(ServerOptions.defaults(root.resolve("server")).withListen(hostAddress(), 0)
                .withClusterCidr(clusterCidr), Clock.systemUTC()).start();
        admin = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(server.adminKubeconfig()))).build();
        for (LabNode node : nodes) node.startAgent(agentArgs);
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> nodes.stream().allMatch(LabNode::ready));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            StringBuilder why = new StringBuilder("the lab's nodes did not become Ready within " + WAIT);
            for (LabNode node : nodes) {
                Node n = node.get();
                why.append("\n--- ").append(node).append(": ")
                        .append(n == null || n.getStatus() == null ? "not registered" : n.getStatus().getConditions())
                        .append("\n").append(tail(node.agentLog()));
            }
            throw new AssertionError(why.toString(), e);
        }
    }

    private String hostVeth() {
        return "bt" + tag + "h0";
    }

    /** Stops the agents, the control plane, the engines (removing their containers), and removes namespaces and files. */
    @Override
    public void close() {
        for (LabNode node : nodes) node.stopAgent();
        if (admin != null) admin.close();
        if (server != null) server.close();
        for (LabNode node : nodes) node.remove();
        if (switchMade) quietly("ip", "netns", "del", prefix + "sw");
        quietly("ip", "link", "del", hostVeth());
        deleteTree(root);
    }

    /**
     * Removes what labs of earlier runs left behind (namespaces, host veths, engines, agents, temp
     * dirs), only those whose test JVM (recorded in the lab dir's {@code owner.pid}) is gone:
     * several test runs share the machine.
     */
    public static void removeLeftovers() {
        List<String> runs = new ArrayList<>();
        try {
            for (String line : exec(List.of("ip", "netns", "list")).output().split("\n")) {
                Matcher m = RUN.matcher(line.strip());
                if (m.find() && !runs.contains(m.group(1))) runs.add(m.group(1));
            }
            try (var dirs = Files.list(Path.of("/tmp"))) {
                dirs.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(TestDocker.PREFIX) && n.endsWith("-lab"))
                        .map(n -> n.substring(0, n.length() - "lab".length()))
                        .filter(p -> RUN.matcher(p).matches() && !runs.contains(p)).forEach(runs::add);
            }
        } catch (IOException e) {
            return;
        }
        for (String run : runs) {
            Path dir = Path.of("/tmp", run + "lab");
            // only labs: namespaces of other tests with the same prefix are theirs to remove
            if (!Files.exists(dir.resolve("owner.pid")) || ownerAlive(dir)) continue;
            for (int i = 1; i <= 9; i++) {
                Path nodeDir = dir.resolve("n" + i);
                killByPidFile(nodeDir.resolve("agent.pid"));
                killByPidFile(nodeDir.resolve("docker.pid"));
                quietly("ip", "netns", "del", run + "n" + i);
            }
            quietly("ip", "netns", "del", run + "sw");
            quietly("ip", "link", "del", "bt" + run.substring(TestDocker.PREFIX.length(), run.length() - 1) + "h0");
            unmountBelow(dir);
            deleteTree(dir);
        }
    }

    private static boolean ownerAlive(Path dir) {
        try {
            long pid = Long.parseLong(Files.readString(dir.resolve("owner.pid")).strip());
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    private static void killByPidFile(Path pidFile) {
        try {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            ProcessHandle.of(pid).ifPresent(p -> {
                p.destroy();
                try {
                    p.onExit().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    p.destroyForcibly();
                }
            });
        } catch (IOException | NumberFormatException e) {
            // no such process recorded
        }
    }

    private static void unmountBelow(Path dir) {
        try {
            List<String> mounts = Files.readAllLines(Path.of("/proc/mounts")).stream().map(l -> l.split(" ")[1])
                    .filter(m -> m.startsWith(dir.toString() + "/")).sorted(Comparator.reverseOrder()).toList();
            for (String m : mounts) quietly("umount", "-l", m);
        } catch (IOException e) {
            // nothing mounted
        }
    }

    private static void stop(Process p) {
        if (p == null || !p.isAlive()) return;
        p.destroy();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            // best effort; .ci/run removes /tmp/berth-test-* too
        }
    }

    // --- address ranges ------------------------------------------------------------------------------

    /** A random /24 inside 10.240.0.0/12 that no route of the host's covers or falls inside; returns "10.x.y.". */
    private static String freeSubnet() {
        for (int i = 0; i < 50; i++) {
            String net = randomBlock(24);
            try {
                String covering = exec(List.of("ip", "-4", "-o", "route", "show", "match", net)).output();
                String inside = exec(List.of("ip", "-4", "-o", "route", "show", "root", net)).output();
                boolean taken = Arrays.stream(covering.split("\n")).anyMatch(l -> l.strip().split("\\s+")[0].contains("/"))
                        || !inside.isBlank();
                if (!taken) return net.substring(0, net.length() - "0/24".length());
            } catch (IOException e) {
                throw new IllegalStateException("cannot list the host's routes", e);
            }
        }
        throw new IllegalStateException("no free /24 inside 10.240.0.0/12 for the lab network");
    }

    /** A random aligned block of {@code bits} inside 10.240.0.0/12. */
    private static String randomBlock(int bits) {
        int size = 1 << (32 - bits);
        int count = (1 << 20) / size;
        int start = (10 << 24) | (240 << 16) | ThreadLocalRandom.current().nextInt(count) * size;
        return ((start >>> 24) & 0xff) + "." + ((start >>> 16) & 0xff) + "." + ((start >>> 8) & 0xff) + "."
                + (start & 0xff) + "/" + bits;
    }

    static boolean overlaps(String a, String b) {
        long[] x = range(a);
        long[] y = range(b);
        return x[0] <= y[1] && y[0] <= x[1];
    }

    private static long[] range(String cidr) {
        String[] parts = cidr.split("/");
        long v = 0;
        for (String octet : parts[0].split("\\.")) v = (v << 8) | Long.parseLong(octet);
        int bits = Integer.parseInt(parts[1]);
        long size = 1L << (32 - bits);
        long start = v & ~(size - 1);
        return new long[]{start, start + size - 1};
    }

    // --- commands ------------------------------------------------------------------------------------

    private void sw(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", prefix + "sw"));
        cmd.addAll(List.of(args));
        sh(cmd.toArray(String[]::new));
    }

    private static void sh(String... cmd) throws IOException {
        TestDocker.Result r = exec(List.of(cmd));
        if (r.exit() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed: " + r.output().strip());
    }

    private static void quietly(String... cmd) {
        try {
            exec(List.of(cmd));
        } catch (IOException e) {
            // best effort
        }
    }

    private static TestDocker.Result exec(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new TestDocker.Result(-1, "timed out: " + String.join(" ", cmd));
            }
            return new TestDocker.Result(p.exitValue(), new String(out, java.nio.charset.StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void requireTools() {
        for (String tool : List.of("ip", "nsenter", "dockerd", "iptables", "sysctl")) {
            if (!HostCommand.available(tool)) {
                String reason = tool + " is missing, so the multi-node lab cannot be made";
                if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new AssertionError(reason + " (required when CI=true)");
                org.junit.jupiter.api.Assumptions.abort(reason);
            }
        }
    }

    private static String tail(String log) {
        String[] lines = log.split("\n");
        return String.join("\n", Arrays.copyOfRange(lines, Math.max(0, lines.length - 40), lines.length));
    }
}
