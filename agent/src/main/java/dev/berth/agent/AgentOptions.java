package dev.berth.agent;

import dev.berth.agent.identity.NodeCredentials;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How a node agent runs: {@code berth agent --kubeconfig FILE [--node-name NAME] [--data-dir DIR]
 * [--docker-host URI] [--node-ip IP] [--port N]}.
 *
 * @param kubeconfig    the node's credentials ({@code berth node credentials NAME})
 * @param nodeName      the Node this agent is (default: the host name, lowercased)
 * @param dataDir       where the agent keeps pod volumes, its pki and logs (default /var/lib/berth)
 * @param dockerHost    the Docker engine (default unix:///var/run/docker.sock)
 * @param nodeIp        the node's address (empty: the address of the default route)
 * @param port          the agent's HTTPS port (10250; 0 picks a free one, for tests)
 * @param namePrefix    prefix of every container and network the agent makes
 * @param clusterDns    the cluster DNS server pods use with dnsPolicy ClusterFirst
 * @param clusterDomain the cluster's DNS domain
 */
public record AgentOptions(Path kubeconfig, String nodeName, Path dataDir, URI dockerHost, Optional<InetAddress> nodeIp,
                           int port, String namePrefix, String clusterDns, String clusterDomain) {
    public static final Path DEFAULT_DATA_DIR = Path.of("/var/lib/berth");
    public static final URI DEFAULT_DOCKER_HOST = URI.create("unix:///var/run/docker.sock");
    public static final int DEFAULT_PORT = 10250;
    public static final String DEFAULT_NAME_PREFIX = "berth-";
    public static final String DEFAULT_CLUSTER_DNS = "10.43.0.10";
    public static final String DEFAULT_CLUSTER_DOMAIN = "cluster.local";
    /** Name (after the prefix) of the bridge network pods live on. */
    public static final String POD_NETWORK = "pods";

    public AgentOptions {
        Objects.requireNonNull(kubeconfig, "kubeconfig");
        NodeCredentials.requireValidNodeName(nodeName);
        Objects.requireNonNull(dataDir, "dataDir");
        requireDockerHost(dockerHost);
        Objects.requireNonNull(nodeIp, "nodeIp");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " must be between 0 and 65535");
        }
        if (namePrefix == null || !namePrefix.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) {
            throw new IllegalArgumentException("name prefix \"" + namePrefix
                    + "\" must start with a letter or digit and hold only letters, digits, '_', '.' and '-'");
        }
        requireIp("cluster DNS", clusterDns);
        if (clusterDomain == null || clusterDomain.isEmpty()) {
            throw new IllegalArgumentException("cluster domain must not be empty");
        }
    }

    /** The defaults for a node: host name, /var/lib/berth, the local Docker socket, port 10250. */
    public static AgentOptions defaults(Path kubeconfig) {
        return new AgentOptions(kubeconfig, defaultNodeName(), DEFAULT_DATA_DIR, DEFAULT_DOCKER_HOST, Optional.empty(),
                DEFAULT_PORT, DEFAULT_NAME_PREFIX, DEFAULT_CLUSTER_DNS, DEFAULT_CLUSTER_DOMAIN);
    }

    public AgentOptions withNodeName(String name) {
        return new AgentOptions(kubeconfig, name, dataDir, dockerHost, nodeIp, port, namePrefix, clusterDns, clusterDomain);
    }

    public AgentOptions withDataDir(Path dir) {
        return new AgentOptions(kubeconfig, nodeName, dir, dockerHost, nodeIp, port, namePrefix, clusterDns, clusterDomain);
    }

    public AgentOptions withDockerHost(URI uri) {
        return new AgentOptions(kubeconfig, nodeName, dataDir, uri, nodeIp, port, namePrefix, clusterDns, clusterDomain);
    }

    public AgentOptions withNodeIp(InetAddress ip) {
        return new AgentOptions(kubeconfig, nodeName, dataDir, dockerHost, Optional.of(ip), port, namePrefix, clusterDns,
                clusterDomain);
    }

    public AgentOptions withPort(int p) {
        return new AgentOptions(kubeconfig, nodeName, dataDir, dockerHost, nodeIp, p, namePrefix, clusterDns, clusterDomain);
    }

    public AgentOptions withNamePrefix(String prefix) {
        return new AgentOptions(kubeconfig, nodeName, dataDir, dockerHost, nodeIp, port, prefix, clusterDns, clusterDomain);
    }

    /** Where the agent keeps its serving certificate. */
    public Path pkiDir() {
        return dataDir.resolve("pki");
    }

    /** The full name of the pod network. */
    public String podNetworkName() {
        return namePrefix + POD_NETWORK;
    }

    /** The host name, lowercased, as kubelet names its Node by default. */
    public static String defaultNodeName() {
        String name = null;
        try {
            Path proc = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(proc)) name = Files.readString(proc).trim();
        } catch (IOException ignored) {
            // fall back to the resolver's view of the host name
        }
        if (name == null || name.isEmpty()) {
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                throw new IllegalStateException("cannot tell this machine's host name; give --node-name", e);
            }
        }
        return name.toLowerCase(Locale.ROOT);
    }

    /** Parses an IP literal (never a host name lookup), naming the option in the error. */
    public static InetAddress requireIp(String what, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        boolean literal = value.contains(":") || value.matches("[0-9.]+");
        try {
            if (!literal) throw new IllegalArgumentException("not an IP literal");
            return InetAddress.ofLiteral(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " \"" + value + "\" is not an IPv4 or IPv6 address");
        }
    }

    private static void requireDockerHost(URI uri) {
        Objects.requireNonNull(uri, "dockerHost");
        String scheme = uri.getScheme();
        if ("unix".equals(scheme)) {
            if (uri.getPath() == null || uri.getPath().isEmpty()) {
                throw new IllegalArgumentException("docker host \"" + uri + "\" must name a socket, e.g. unix:///var/run/docker.sock");
            }
        } else if ("tcp".equals(scheme)) {
            if (uri.getHost() == null || uri.getPort() < 0) {
                throw new IllegalArgumentException("docker host \"" + uri + "\" must be tcp://HOST:PORT");
            }
        } else {
            throw new IllegalArgumentException("docker host \"" + uri + "\" must be a unix:// or tcp:// URI");
        }
    }
}
