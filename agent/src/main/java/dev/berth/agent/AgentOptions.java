package dev.berth.agent;

import dev.berth.agent.identity.NodeCredentials;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
 * @param clusterCidr   the pod address range of the whole cluster (each node's podCIDR is inside it);
 *                      traffic leaving it is masqueraded
 * @param serviceCidr   the Service cluster IP range
 * @param proxyMode     how Services are implemented on this node
 * @param ingress       whether this node runs the built-in ingress controller
 * @param dnsUpstreams  resolvers the cluster DNS forwards other names to, as IP or IP:port
 *                      (empty: the nameservers of the host's /etc/resolv.conf)
 */
public record AgentOptions(Path kubeconfig, String nodeName, Path dataDir, URI dockerHost, Optional<InetAddress> nodeIp,
                           int port, String namePrefix, String clusterDns, String clusterDomain, String clusterCidr,
                           String serviceCidr, ProxyMode proxyMode, boolean ingress, List<String> dnsUpstreams) {
    public static final Path DEFAULT_DATA_DIR = Path.of("/var/lib/berth");
    public static final URI DEFAULT_DOCKER_HOST = URI.create("unix:///var/run/docker.sock");
    public static final int DEFAULT_PORT = 10250;
    public static final String DEFAULT_NAME_PREFIX = "berth-";
    public static final String DEFAULT_CLUSTER_DNS = "10.43.0.10";
    public static final String DEFAULT_CLUSTER_DOMAIN = "cluster.local";
    public static final String DEFAULT_CLUSTER_CIDR = "10.42.0.0/16";
    public static final String DEFAULT_SERVICE_CIDR = "10.43.0.0/16";
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
        requireIpv4Cidr("cluster CIDR", clusterCidr);
        requireIpv4Cidr("service CIDR", serviceCidr);
        Objects.requireNonNull(proxyMode, "proxyMode");
        dnsUpstreams = List.copyOf(dnsUpstreams);
        for (String upstream : dnsUpstreams) {
            int colon = upstream.lastIndexOf(':');
            String ip = colon > 0 && upstream.indexOf(':') == colon ? upstream.substring(0, colon) : upstream;
            requireIp("DNS upstream", ip);
            if (!ip.equals(upstream)) {
                String upstreamPort = upstream.substring(colon + 1);
                if (!upstreamPort.matches("[0-9]{1,5}") || Integer.parseInt(upstreamPort) < 1 || Integer.parseInt(upstreamPort) > 65535) {
                    throw new IllegalArgumentException("DNS upstream \"" + upstream + "\": port \"" + upstreamPort
                            + "\" must be between 1 and 65535");
                }
            }
        }
    }

    /** How Services are implemented on a node. */
    public enum ProxyMode {
        /** iptables rules where the kernel and the iptables tools allow, else userspace. */
        AUTO,
        /** iptables rules; the agent reports an error where they cannot be programmed. */
        IPTABLES,
        /** a proxy in the agent's process: no kernel rules for Services. */
        USERSPACE,
        /**
         * no Service proxy at all: for agents sharing a network namespace with others that own the
         * Service addresses (tests in the machine's own namespace, benchmarks of pod start).
         */
        NONE;

        /** Parses {@code auto}, {@code iptables}, {@code userspace} or {@code none}, naming the allowed values on error. */
        public static ProxyMode parse(String value) {
            for (ProxyMode m : values()) {
                if (m.name().equalsIgnoreCase(value)) return m;
            }
            throw new IllegalArgumentException("proxy mode \"" + value + "\" must be one of auto, iptables, userspace, none");
        }
    }

    /** The defaults for a node: host name, /var/lib/berth, the local Docker socket, port 10250. */
    public static AgentOptions defaults(Path kubeconfig) {
        return new AgentOptions(kubeconfig, defaultNodeName(), DEFAULT_DATA_DIR, DEFAULT_DOCKER_HOST, Optional.empty(),
                DEFAULT_PORT, DEFAULT_NAME_PREFIX, DEFAULT_CLUSTER_DNS, DEFAULT_CLUSTER_DOMAIN, DEFAULT_CLUSTER_CIDR,
                DEFAULT_SERVICE_CIDR, ProxyMode.AUTO, false, List.of());
    }

    public AgentOptions withNodeName(String v) {
        return new AgentOptions(kubeconfig, v, dataDir, dockerHost, nodeIp, port, namePrefix, clusterDns, clusterDomain, clusterCidr, serviceCidr, proxyMode, ingress, dnsUpstreams);
    }

    public AgentOptions withDataDir(Path v) {
        return new AgentOptions(kubeconfig, nodeName, v, dockerHost, nodeIp, port, namePrefix, clusterDns, clusterDomain, clusterCidr, serviceCidr, proxyMode, ingress, dnsUpstreams);
    }

    public AgentOptions withDockerHost(URI v) {
        return new AgentOptions(kubeconfig, nodeName, dataDir, v, nodeIp, port, namePrefix, clusterDns, clusterDomain, clusterCidr, serviceCidr, proxyMode, ingress, dnsUpstreams);
    }

    public AgentOptions withNodeIp(InetAddress v) {
        return new AgentOptions(kubeconfig, nodeName, dataDir, dockerHost, Optional.of(v), port, namePrefix, clusterDns, clusterDomain, clusterCidr, serviceCidr, proxyMode, ingress, dnsUpstreams);
    }

    public AgentOptions withPort(int v) {
        return new AgentOptions(kubeconfig, nodeName, dataDir, dockerHost, nodeIp, v, namePrefix, clusterDns, clusterDomain, clusterCidr, serviceCidr, proxyMode, ingress, dnsUpstreams);
    }

    public AgentOptions withNamePrefix(String v) {
        return new AgentOptions(kubeconfig, nodeName, dataDir, dockerHost, nodeIp, port, v, clusterDns, clusterDomain, clusterCidr, serviceCidr, proxyMode, ingress, dnsUpstreams);
    }

    public AgentOptions withClusterDns(String v) {
        return new AgentOptions(kubeconfig, nodeName, dataDir, dockerHost, nodeIp, port, namePrefix, v, clusterDomain, clusterCidr, serviceCidr, proxyMode, ingress, dnsUpstreams);
    }

    public AgentOptions withClusterCidr(String v) {
        return new AgentOptions(kubeconfig, nodeName, dataDir, dockerHost, nodeIp, port, namePrefix, clusterDns, clusterDomain, v, serviceCidr, proxyMode, ingress, dnsUpstreams);
    }

    public AgentOptions withServiceCidr(String v) {
        return new AgentOptions(kubeconfig, nodeName, dataDir, dockerHost, nodeIp, port, namePrefix, clusterDns, clusterDomain, clusterCidr, v, proxyMode, ingress, dnsUpstreams);
    }

    public AgentOptions withProxyMode(ProxyMode v) {
        return new AgentOptions(kubeconfig, nodeName, dataDir, dockerHost, nodeIp, port, namePrefix, clusterDns, clusterDomain, clusterCidr, serviceCidr, v, ingress, dnsUpstreams);
    }

    public AgentOptions withIngress(boolean v) {
        return new AgentOptions(kubeconfig, nodeName, dataDir, dockerHost, nodeIp, port, namePrefix, clusterDns, clusterDomain, clusterCidr, serviceCidr, proxyMode, v, dnsUpstreams);
    }

    public AgentOptions withDnsUpstreams(List<String> v) {
        return new AgentOptions(kubeconfig, nodeName, dataDir, dockerHost, nodeIp, port, namePrefix, clusterDns, clusterDomain, clusterCidr, serviceCidr, proxyMode, ingress, v);
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

    /** Checks an IPv4 network in CIDR notation, naming the option and the rule on error. */
    public static void requireIpv4Cidr(String what, String cidr) {
        if (cidr == null || !cidr.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}")) {
            throw new IllegalArgumentException(what + " \"" + cidr + "\" must be an IPv4 network like 10.42.0.0/16");
        }
        String[] parts = cidr.split("/");
        byte[] b = InetAddress.ofLiteral(parts[0]).getAddress();
        int bits = Integer.parseInt(parts[1]);
        if (bits < 8 || bits > 30) {
            throw new IllegalArgumentException(what + " \"" + cidr + "\": prefix length must be between 8 and 30");
        }
        int value = ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
        if ((value & (int) (0xffffffffL << (32 - bits))) != value) {
            throw new IllegalArgumentException(what + " \"" + cidr + "\" has host bits set");
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
