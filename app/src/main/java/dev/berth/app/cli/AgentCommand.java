package dev.berth.app.cli;

import dev.berth.agent.Agent;
import dev.berth.agent.AgentOptions;
import dev.berth.agent.AgentParts;
import dev.berth.agent.Privileges;
import dev.berth.agent.ProductionParts;
import dev.berth.agent.ingress.IngressSettings;
import dev.berth.core.pki.PkiException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {"Runs the node agent (the kubelet of a Berth node): it registers the Node,",
                "runs the pods bound to it as Docker containers and reports their status.",
                "It acts as system:node:NAME with the credentials of --kubeconfig",
                "(see: berth node credentials NAME) and must run as root with access to",
                "the Docker socket and iptables. Runs until interrupted."})
public final class AgentCommand implements Callable<Integer> {
    @Option(names = "--kubeconfig", paramLabel = "FILE", required = true,
            description = "The node's kubeconfig, written by: berth node credentials NAME (or by --bootstrap-kubeconfig).")
    Path kubeconfig;

    @Option(names = "--bootstrap-kubeconfig", paramLabel = "FILE",
            description = {"A kubeconfig with a bootstrap token. When --kubeconfig does not exist, the agent makes",
                    "its own key, gets its client certificate through a CertificateSigningRequest and",
                    "writes --kubeconfig (as kubelet does); then this file is no longer needed."})
    Path bootstrapKubeconfig;

    @Option(names = "--node-name", paramLabel = "NAME",
            description = "Name of this node (default: the host name, lowercased).")
    String nodeName;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where the agent keeps pod volumes and its certificate (default: /var/lib/berth).")
    Path dataDir;

    @Option(names = "--docker-host", paramLabel = "URI",
            description = "The Docker engine (default: unix:///var/run/docker.sock; tcp://HOST:PORT works too).")
    URI dockerHost;

    @Option(names = "--node-ip", paramLabel = "IP",
            description = "This node's address (default: the address of the default route).")
    String nodeIp;

    @Option(names = "--port", paramLabel = "N", defaultValue = "10250",
            description = "The agent's HTTPS port for logs, exec, port-forward and metrics (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--cluster-cidr", paramLabel = "CIDR", defaultValue = AgentOptions.DEFAULT_CLUSTER_CIDR,
            description = "The cluster's pod range; traffic leaving it is masqueraded (default: ${DEFAULT-VALUE}).")
    String clusterCidr;

    @Option(names = "--service-cidr", paramLabel = "CIDR", defaultValue = AgentOptions.DEFAULT_SERVICE_CIDR,
            description = "The Service cluster IP range (default: ${DEFAULT-VALUE}).")
    String serviceCidr;

    @Option(names = "--cluster-dns", paramLabel = "IP", defaultValue = AgentOptions.DEFAULT_CLUSTER_DNS,
            description = "The cluster DNS address pods use with dnsPolicy ClusterFirst (default: ${DEFAULT-VALUE}).")
    String clusterDns;

    @Option(names = "--proxy-mode", paramLabel = "MODE", defaultValue = "auto",
            description = "How Services are implemented: auto, iptables, userspace or none (default: ${DEFAULT-VALUE}).")
    String proxyMode;

    @Option(names = "--ingress", description = "Run the built-in ingress controller (IngressClass berth) on this node.")
    boolean ingress;

    @Option(names = "--ingress-address", paramLabel = "IP", defaultValue = "0.0.0.0",
            description = "The address the ingress listens on (default: ${DEFAULT-VALUE}, every address).")
    String ingressAddress;

    @Option(names = "--ingress-http-port", paramLabel = "N", defaultValue = "80",
            description = "The ingress's HTTP port (default: ${DEFAULT-VALUE}).")
    int ingressHttpPort;

    @Option(names = "--ingress-https-port", paramLabel = "N", defaultValue = "443",
            description = "The ingress's HTTPS port (default: ${DEFAULT-VALUE}).")
    int ingressHttpsPort;

    @Option(names = "--dns-upstream", paramLabel = "IP[:PORT]",
            description = "A resolver for names outside the cluster; repeatable (default: the host's /etc/resolv.conf).")
    java.util.List<String> dnsUpstreams = new java.util.ArrayList<>();

    /** The agent's parts; tests give doubles. */
    AgentParts parts = new ProductionParts();
    Privileges.Host host = Privileges.system();
    private final CountDownLatch stop = new CountDownLatch(1);

    /** Where the ingress listens, as given. */
    IngressSettings ingressSettings() {
        return IngressSettings.defaults().withAddress(AgentOptions.requireIp("--ingress-address", ingressAddress))
                .withPorts(ingressHttpPort, ingressHttpsPort);
    }

    /** The options as given, defaults filled in. */
    AgentOptions options() {
        AgentOptions options = AgentOptions.defaults(kubeconfig).withPort(port);
        if (nodeName != null) options = options.withNodeName(nodeName);
        if (dataDir != null) options = options.withDataDir(dataDir);
        if (dockerHost != null) options = options.withDockerHost(dockerHost);
        if (nodeIp != null) options = options.withNodeIp(AgentOptions.requireIp("--node-ip", nodeIp));
        AgentOptions.requireIp("--cluster-dns", clusterDns);
        return options.withClusterCidr(clusterCidr).withServiceCidr(serviceCidr).withClusterDns(clusterDns)
                .withProxyMode(AgentOptions.ProxyMode.parse(proxyMode)).withIngress(ingress)
                .withDnsUpstreams(dnsUpstreams);
    }

    @Override
    public Integer call() throws Exception {
        AgentOptions options;
        try {
            options = options();
            IngressSettings ingressSettings = ingressSettings();
            if (parts instanceof ProductionParts) parts = new ProductionParts(ingressSettings);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("berth agent: " + e.getMessage());
            return 2;
        }
        if (bootstrapKubeconfig != null && !java.nio.file.Files.exists(kubeconfig)) {
            try {
                dev.berth.agent.identity.NodeBootstrap.bootstrap(bootstrapKubeconfig, options.nodeName(), kubeconfig,
                        java.time.Duration.ofMinutes(5));
            } catch (PkiException | IllegalStateException | IllegalArgumentException
                     | io.fabric8.kubernetes.client.KubernetesClientException e) {
                System.err.println("berth agent: bootstrapping with " + bootstrapKubeconfig + " failed: " + e.getMessage());
                return 1;
            }
        }
        Agent agent;
        try {
            agent = Agent.fromKubeconfig(options, parts, host, Clock.systemUTC()).start();
        } catch (PkiException | IllegalStateException | Privileges.MissingPrivilegeException e) {
            System.err.println("berth agent: " + e.getMessage());
            return 1;
        }
        Thread hook = new Thread(() -> {
            agent.close();
            stop.countDown();
        }, "berth-agent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.println("berth agent running as node " + options.nodeName() + " (data dir " + options.dataDir() + ")");
        System.out.flush();
        stop.await();
        return 0;
    }

    /** Stops a running agent (as the shutdown hook does). */
    void stop() {
        stop.countDown();
    }
}
