package dev.berth.app.cli;

import dev.berth.core.datadir.DataDirInUseException;
import dev.berth.core.server.BerthServer;
import dev.berth.core.server.ServerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"Runs the headless control plane: a Kubernetes API server on a durable store.",
                "Writes DIR/admin.kubeconfig before it reports ready; then",
                "  KUBECONFIG=DIR/admin.kubeconfig kubectl get nodes",
                "works."})
public final class ServerCommand implements Callable<Integer> {

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Data directory (default: $XDG_DATA_HOME/berth or ~/.local/share/berth). Locked while running.")
    Path dataDir;

    @Option(names = "--pki-dir", paramLabel = "DIR",
            description = "CA, serving certificate and encryption key (default: DATA_DIR/pki). Replicas sharing etcd share it.")
    Path pkiDir;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:6443",
            description = "Address to serve the API on (default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--store", paramLabel = "sqlite|etcd", defaultValue = "sqlite",
            description = "Where objects are kept: embedded SQLite (default) or an etcd cluster.")
    String store;

    @Option(names = "--etcd-endpoints", paramLabel = "URL,...", split = ",",
            description = "etcd client URLs, with --store etcd.")
    List<String> etcdEndpoints = List.of();

    @Option(names = "--cluster-cidr", paramLabel = "CIDR", defaultValue = "10.42.0.0/16",
            description = "Pod address range, one /24 per node (default: ${DEFAULT-VALUE}).")
    String clusterCidr;

    @Option(names = "--service-cidr", paramLabel = "CIDR", defaultValue = "10.43.0.0/16",
            description = "Service cluster IP range (default: ${DEFAULT-VALUE}).")
    String serviceCidr;

    @Option(names = "--service-node-port-range", paramLabel = "MIN-MAX", defaultValue = "30000-32767",
            description = "NodePort range (default: ${DEFAULT-VALUE}).")
    String nodePortRange;

    @Option(names = "--event-ttl", paramLabel = "DURATION", defaultValue = "1h",
            description = "How long events are kept, e.g. 30m, 1h, 2h30m (default: ${DEFAULT-VALUE}).")
    String eventTtl;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--cert-lifetime", paramLabel = "DURATION", defaultValue = "8760h",
            description = {"How long the certificates the server issues are valid: its serving certificate, its",
                    "client certificate towards agents, and the nodes' and users' client certificates (at most),",
                    "e.g. 720h, 90d (default: ${DEFAULT-VALUE}, a year; at least 10m). Each is renewed",
                    "at 70-90% of its life."})
    String certLifetime;

    @Option(names = "--local-node",
            description = {"Also run a node agent for this machine: berth agent as a child",
                    "process acting as system:node:HOSTNAME, its output in",
                    "DATA_DIR/agent.log. Needs root and Docker."})
    boolean localNode;

    @Override
    public Integer call() throws Exception {
        Path dir = dataDir != null ? dataDir : ServerOptions.defaultDataDir();
        HostPort hp = HostPort.parse("--listen", listen);
        int[] range = parseRange(nodePortRange);
        ServerOptions options = new ServerOptions(dir, pkiDir != null ? pkiDir : dir.resolve("pki"), hp.host(), hp.port(),
                store, etcdEndpoints, clusterCidr, serviceCidr, range[0], range[1], parseDuration("--event-ttl", eventTtl));
        java.time.Duration lifetime = parseLifetime(certLifetime);
        try {
            options = options.withCertificates(dev.berth.core.pki.RotationPolicy.defaults().withLifetime(lifetime));
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--cert-lifetime: invalid value \"" + certLifetime + "\": " + e.getMessage());
        }
        BerthServer server;
        try {
            server = new BerthServer(options, Clock.systemUTC()).start();
        } catch (DataDirInUseException e) {
            System.err.println("berth server: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("berth server: " + e.getMessage());
            return 2;
        }
        LocalNode agent = null;
        if (localNode) {
            try {
                String url = dev.berth.core.pki.Kubeconfig.read(server.adminKubeconfig()).server();
                String nodeName = LocalNode.defaultNodeName();
                // the node's agent works with the control plane's ranges
                var o = server.options();
                List<String> agentArgs = new java.util.ArrayList<>(List.of(
                        "--cluster-cidr", o.clusterCidr(), "--service-cidr", o.serviceCidr()));
                new dev.berth.core.apiserver.ServiceAllocator(null, o.serviceCidr(), o.nodePortMin(), o.nodePortMax())
                        .clusterDnsAddress().ifPresent(dns -> agentArgs.addAll(List.of("--cluster-dns", dns)));
                agent = LocalNode.start(server.pki().ca(), url, dir, nodeName, agentArgs);
                LocalNode started = agent;
                agent.process().onExit().thenAccept(p -> {
                    if (!stopping) {
                        System.err.println("berth server: the local node agent exited with code " + p.exitValue()
                                + "; the end of " + started.log() + ":" + System.lineSeparator() + started.logTail(5));
                    }
                });
                System.out.println("local node agent for " + nodeName + " started (log: " + agent.log() + ")");
            } catch (java.io.IOException | RuntimeException e) {
                System.err.println("berth server: cannot start the local node agent: " + e.getMessage());
                server.close();
                return 1;
            }
        }
        LocalNode localAgent = agent;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping = true;
            if (localAgent != null) {
                localAgent.close();
            }
            server.close();
            stopped.countDown();
        }, "berth-shutdown"));
        System.out.println("berth server ready on https://" + hp.host() + ":" + server.address().getPort()
                + " (store: " + store + ")");
        System.out.println("  export KUBECONFIG=" + server.adminKubeconfig());
        System.out.flush();
        stopped.await();
        return 0;
    }

    private volatile boolean stopping;

    static int[] parseRange(String r) {
        String[] p = r.split("-");
        try {
            int a = Integer.parseInt(p[0].trim());
            int b = Integer.parseInt(p[1].trim());
            if (p.length != 2 || a < 1 || b > 65535 || a > b) {
                throw new NumberFormatException();
            }
            return new int[] {a, b};
        } catch (RuntimeException e) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new ServerCommand()),
                    "--service-node-port-range: invalid value \"" + r + "\": must be MIN-MAX with 1 <= MIN <= MAX <= 65535");
        }
    }

    /** A certificate lifetime: {@code 90d}, or a duration such as {@code 720h} or {@code 30m}. */
    static Duration parseLifetime(String v) {
        if (v != null && v.matches("[0-9]{1,5}[dD]")) {
            return Duration.ofDays(Long.parseLong(v.substring(0, v.length() - 1)));
        }
        return parseDuration("--cert-lifetime", v);
    }

    static Duration parseDuration(String option, String v) {
        try {
            return Duration.parse("PT" + v.toUpperCase(java.util.Locale.ROOT).replace("D", "D"));
        } catch (RuntimeException e) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new ServerCommand()),
                    option + ": invalid value \"" + v + "\": must be a duration like 30m, 1h or 2h30m");
        }
    }
}
