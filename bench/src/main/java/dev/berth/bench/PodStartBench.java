package dev.berth.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.api.model.HostConfig;
import dev.berth.agent.Agent;
import dev.berth.agent.AgentOptions;
import dev.berth.agent.Privileges;
import dev.berth.agent.ProductionParts;
import dev.berth.agent.identity.NodeCredentials;
import dev.berth.agent.runtime.RuntimeLabels;
import dev.berth.agent.runtime.docker.BusyboxImage;
import dev.berth.agent.runtime.docker.DockerRuntime;
import dev.berth.core.api.Json;
import dev.berth.core.server.BerthServer;
import dev.berth.core.server.ServerOptions;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Pod start on a real node: an in-process control plane and a node agent with every real part,
 * running pods as Docker containers from a locally built busybox image.
 * <ul>
 *   <li>{@code pod_start}: pods created at {@code --rate}/s; latency from the create request sent
 *       to the pod seen Running on a watch, p50/p99/max over {@code --pods} pods.</li>
 *   <li>{@code deployment_ready}: a Deployment of {@code --replicas} from create to every replica
 *       available. In the same run, the same containers through Docker Swarm
 *       ({@code docker service create --replicas N}, skipped with {@code --no-swarm}) and the floor:
 *       the containers created and started directly through the Docker API, all at once, without a
 *       network (so the floor is lower than any pod's cost).</li>
 * </ul>
 *
 * <pre>PodStartBench [--dir DIR] [--pods N] [--rate R] [--replicas N] [--no-swarm]</pre>
 */
public final class PodStartBench {
    static final String IMAGE = "berth-bench/busybox:1";
    private static final long TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(10);

    private PodStartBench() {
    }

    public record Options(Path dir, int pods, double rate, int replicas, boolean swarm) {
        public static Options parse(String[] args) {
            Path dir = null;
            int pods = 100, replicas = 50;
            double rate = 5;
            boolean swarm = true;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--dir" -> dir = Path.of(value(args, ++i, "--dir"));
                    case "--pods" -> pods = (int) positive(value(args, ++i, "--pods"), "--pods");
                    case "--rate" -> rate = positive(value(args, ++i, "--rate"), "--rate");
                    case "--replicas" -> replicas = (int) positive(value(args, ++i, "--replicas"), "--replicas");
                    case "--no-swarm" -> swarm = false;
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + " (known: --dir DIR, --pods N, --rate R, --replicas N, --no-swarm)");
                }
            }
            return new Options(dir, pods, rate, replicas, swarm);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        private static double positive(String s, String option) {
            try {
                double v = Double.parseDouble(s);
                if (v > 0) {
                    return v;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException(option + " " + s + " must be a positive number");
        }
    }

    public static void run(Options o, PrintStream out) throws Exception {
        String image = BusyboxImage.ensure(IMAGE);
        byte[] b = new byte[3];
        ThreadLocalRandom.current().nextBytes(b);
        String prefix = "berth-bench-" + HexFormat.of().formatHex(b) + "-";
        Path dir = o.dir() != null ? o.dir() : Files.createTempDirectory("berth-bench-podstart");
        // a cluster CIDR of its own inside 10.240.0.0/12, so that the node's bridge collides with no other network
        String clusterCidr = "10." + (240 + ThreadLocalRandom.current().nextInt(16)) + "."
                + 16 * ThreadLocalRandom.current().nextInt(16) + ".0/20";
        ServerOptions serverOptions = ServerOptions.defaults(dir.resolve("data")).withListen("127.0.0.1", 0)
                .withClusterCidr(clusterCidr);
        try (BerthServer server = new BerthServer(serverOptions, Clock.systemUTC()).start();
             KubernetesClient client = new KubernetesClientBuilder()
                     .withConfig(Config.fromKubeconfig(Files.readString(server.adminKubeconfig()))).build()) {
            Path kubeconfig = dir.resolve("node.kubeconfig");
            String node = "bench-node";
            NodeCredentials.issue(server.pki().ca(), "https://127.0.0.1:" + server.address().getPort(), node,
                    NodeCredentials.DEFAULT_VALIDITY).write(kubeconfig);
            AgentOptions agentOptions = AgentOptions.defaults(kubeconfig).withNodeName(node).withDataDir(dir.resolve("agent"))
                    .withPort(freePort()).withNamePrefix(prefix).withNodeIp(InetAddress.getLoopbackAddress())
                    // Service rules would go into the host namespace: this benchmark needs none
                    .withProxyMode(AgentOptions.ProxyMode.NONE);
            try (Agent agent = Agent.fromKubeconfig(agentOptions, ProductionParts.withoutPodNetworkRules(), Privileges.system(),
                    Clock.systemUTC()).start()) {
                waitFor("node " + node + " Ready", () -> nodeReady(client, node));
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("podstart").endMetadata()
                        .build()).create();
                podStart(client, o, image, out);
                deployment(client, o, image, prefix, out);
            }
        } finally {
            removeContainers(prefix);
        }
    }

    private static void podStart(KubernetesClient client, Options o, String image, PrintStream out) throws Exception {
        Map<String, Long> sent = new ConcurrentHashMap<>();
        Map<String, Long> running = new ConcurrentHashMap<>();
        try (Watch ignored = client.pods().inNamespace("podstart").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                if (pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())) {
                    running.putIfAbsent(pod.getMetadata().getName(), System.nanoTime());
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            long start = System.nanoTime();
            long interval = (long) (1e9 / o.rate());
            for (int i = 0; i < o.pods(); i++) {
                long due = start + i * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                String name = "p" + i;
                sent.put(name, System.nanoTime());
                client.pods().inNamespace("podstart").resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
                        .withSpec(sleeper(image)).build()).create();
            }
            waitFor(o.pods() + " pods Running", () -> running.size() >= o.pods());
        }
        long[] latencies = sent.entrySet().stream().mapToLong(e -> running.get(e.getKey()) - e.getValue()).sorted().toArray();
        ObjectNode line = line("pod_start");
        line.put("pods", o.pods());
        line.put("rate_per_s", o.rate());
        line.put("p50_ms", ms(percentile(latencies, 50)));
        line.put("p99_ms", ms(percentile(latencies, 99)));
        line.put("max_ms", ms(latencies[latencies.length - 1]));
        out.println(Json.MAPPER.writeValueAsString(line));
        client.pods().inNamespace("podstart").withGracePeriod(0).delete();
        waitFor("pods deleted", () -> client.pods().inNamespace("podstart").list().getItems().isEmpty());
    }

    private static void deployment(KubernetesClient client, Options o, String image, String prefix, PrintStream out)
            throws Exception {
        Deployment d = new DeploymentBuilder().withNewMetadata().withName("ready").endMetadata()
                .withNewSpec().withReplicas(o.replicas()).withNewSelector().addToMatchLabels("app", "ready").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "ready").endMetadata().withSpec(sleeper(image))
                .endTemplate().endSpec().build();
        long start = System.nanoTime();
        client.apps().deployments().inNamespace("podstart").resource(d).create();
        waitFor(o.replicas() + " replicas available", () -> {
            Deployment now = client.apps().deployments().inNamespace("podstart").withName("ready").get();
            return now.getStatus() != null && now.getStatus().getAvailableReplicas() != null
                    && now.getStatus().getAvailableReplicas() >= o.replicas();
        });
        double berth = (System.nanoTime() - start) / 1e9;
        client.apps().deployments().inNamespace("podstart").withName("ready").delete();
        waitFor("deployment pods deleted", () -> client.pods().inNamespace("podstart").list().getItems().isEmpty());

        double floor = dockerFloor(image, prefix, o.replicas());
        Double swarm = o.swarm() ? swarm(image, prefix, o.replicas()) : null;

        ObjectNode line = line("deployment_ready");
        line.put("replicas", o.replicas());
        line.put("berth_s", round(berth));
        line.put("docker_floor_s", round(floor));
        line.put("ratio_to_floor", round(berth / floor));
        if (swarm != null) {
            line.put("swarm_s", round(swarm));
            line.put("ratio_to_swarm", round(berth / swarm));
        } else {
            line.put("swarm_s", (String) null);
        }
        out.println(Json.MAPPER.writeValueAsString(line));
    }

    /** The same containers created and started directly through the Docker API, all at once. */
    private static double dockerFloor(String image, String prefix, int n) throws Exception {
        try (DockerRuntime docker = new DockerRuntime(prefix, "bench-floor");
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            long start = System.nanoTime();
            List<Future<?>> started = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = prefix + "floor-" + i;
                started.add(pool.submit(() -> {
                    String id = docker.client().createContainerCmd(image).withName(name).withCmd("sleep", "3600")
                            .withLabels(Map.of(RuntimeLabels.NODE, "bench-floor"))
                            .withHostConfig(HostConfig.newHostConfig().withNetworkMode("none")).exec().getId();
                    docker.client().startContainerCmd(id).exec();
                    return id;
                }));
            }
            for (Future<?> f : started) {
                f.get(10, TimeUnit.MINUTES);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            removeContainers(prefix + "floor-");
            return seconds;
        }
    }

    /** Docker Swarm on this engine: one service of n replicas, from create to n running; null when swarm cannot run. */
    private static Double swarm(String image, String prefix, int n) throws Exception {
        String state = docker("info", "--format", "{{.Swarm.LocalNodeState}}").strip();
        boolean joined = false;
        if (state.equals("inactive")) {
            if (dockerExit("swarm", "init", "--advertise-addr", "127.0.0.1") != 0) {
                return null;
            }
            joined = true;
        } else if (!state.equals("active")) {
            return null;
        }
        String service = prefix + "swarm";
        try {
            long start = System.nanoTime();
            if (dockerExit("service", "create", "--detach", "--quiet", "--name", service, "--replicas", Integer.toString(n),
                    "--no-resolve-image", "--restart-condition", "none", image, "sleep", "3600") != 0) {
                return null;
            }
            String want = n + "/" + n;
            waitFor("swarm service " + want, () -> {
                try {
                    return docker("service", "ls", "--filter", "name=" + service, "--format", "{{.Replicas}}").strip()
                            .startsWith(want);
                } catch (IOException e) {
                    return false;
                }
            });
            return (System.nanoTime() - start) / 1e9;
        } finally {
            dockerExit("service", "rm", service);
            waitFor("swarm tasks removed", () -> {
                try {
                    return docker("ps", "-aq", "--filter", "name=" + service).isBlank();
                } catch (IOException e) {
                    return true;
                }
            });
            if (joined) {
                dockerExit("swarm", "leave", "--force");
            }
        }
    }

    private static PodSpec sleeper(String image) {
        return new PodSpecBuilder().addNewContainer().withName("main").withImage(image).withCommand("sleep", "3600")
                .endContainer().withTerminationGracePeriodSeconds(1L).build();
    }

    private static boolean nodeReady(KubernetesClient client, String node) {
        var n = client.nodes().withName(node).get();
        return n != null && n.getStatus() != null && n.getStatus().getConditions() != null && n.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static void waitFor(String what, BooleanSupplier done) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("no " + what + " after 10 minutes");
            }
            Thread.sleep(50);
        }
    }

    private static void removeContainers(String namePrefix) {
        try {
            String ids = docker("ps", "-aq", "--filter", "name=" + namePrefix);
            for (String id : ids.split("\\s+")) {
                if (!id.isBlank()) {
                    dockerExit("rm", "-f", id);
                }
            }
            for (String id : docker("network", "ls", "-q", "--filter", "name=" + namePrefix).split("\\s+")) {
                if (!id.isBlank()) {
                    dockerExit("network", "rm", id);
                }
            }
        } catch (IOException e) {
            // nothing to remove without docker
        }
    }

    private static String docker(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            p.waitFor(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return output;
    }

    private static int dockerExit(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            return p.waitFor(2, TimeUnit.MINUTES) ? p.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static ObjectNode line(String metric) {
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("bench", "podstart");
        line.put("metric", metric);
        return line;
    }

    private static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 1e4) / 100.0;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
