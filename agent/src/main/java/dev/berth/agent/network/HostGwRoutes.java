package dev.berth.agent.network;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * host-gw routing, as pure functions: which routes to the other nodes' podCIDRs this node wants
 * (one per node that has a {@code spec.podCIDR} and an IPv4 InternalIP on a subnet this node is
 * directly connected to), which peers cannot be reached that way, and the {@code ip -batch} lines
 * that take the routes this agent installed (recognised by their protocol, {@link #PROTOCOL}) to
 * the wanted ones.
 */
public final class HostGwRoutes {
    /**
     * The routing protocol number on every route the agent installs ({@code ip route ... proto 98}),
     * so that it finds and removes its own routes and never anybody else's. 98 is unassigned in
     * iproute2's rt_protos.
     */
    public static final int PROTOCOL = 98;

    private HostGwRoutes() {
    }

    /** An IPv4 subnet this node has an address on. */
    public record Subnet(String device, int network, int bits) {
        boolean contains(int address) {
            return (address & mask(bits)) == network;
        }
    }

    /** A peer node whose pods are not reachable by a host-gw route, and why. */
    public record Unreachable(String node, String reason) {
    }

    /** What this node wants: podCIDR to gateway (the peer's address), and the peers it cannot route to. */
    public record Plan(Map<String, String> routes, List<Unreachable> unreachable) {
    }

    /**
     * The routes to every other node's podCIDR through its InternalIP, where that address is on one
     * of {@code connected}; a peer without a podCIDR yet is left out without complaint.
     */
    public static Plan plan(String self, String ownPodCidr, List<Node> nodes, List<Subnet> connected) {
        Map<String, String> routes = new TreeMap<>();
        List<Unreachable> unreachable = new ArrayList<>();
        for (Node node : nodes) {
            String name = node.getMetadata().getName();
            if (name.equals(self)) continue;
            String podCidr = node.getSpec() == null ? null : node.getSpec().getPodCIDR();
            if (podCidr == null || podCidr.isEmpty()) continue;
            if (!isIpv4Cidr(podCidr)) {
                unreachable.add(new Unreachable(name, "its spec.podCIDR \"" + podCidr + "\" is not an IPv4 network"));
                continue;
            }
            if (podCidr.equals(ownPodCidr)) {
                unreachable.add(new Unreachable(name, "it has this node's podCIDR " + podCidr));
                continue;
            }
            Optional<String> ip = internalIpv4(node);
            if (ip.isEmpty()) {
                unreachable.add(new Unreachable(name, "it has no IPv4 InternalIP in status.addresses"));
                continue;
            }
            int address = toInt(ip.get());
            boolean direct = ((address >>> 24) != 127)
                    && connected.stream().anyMatch(s -> s.contains(address) && (s.network() != address));
            if (!direct) {
                unreachable.add(new Unreachable(name, "its address " + ip.get()
                        + " is not on a subnet this node is directly connected to"));
                continue;
            }
            routes.put(podCidr, ip.get());
        }
        return new Plan(routes, unreachable);
    }

    /** The first IPv4 InternalIP of a Node. */
    static Optional<String> internalIpv4(Node node) {
        if (node.getStatus() == null || node.getStatus().getAddresses() == null) return Optional.empty();
        for (NodeAddress a : node.getStatus().getAddresses()) {
            if ("InternalIP".equals(a.getType()) && a.getAddress() != null && isIpv4(a.getAddress())) {
                return Optional.of(a.getAddress());
            }
        }
        return Optional.empty();
    }

    private static final Pattern INET = Pattern.compile("\\binet (\\d+\\.\\d+\\.\\d+\\.\\d+)/(\\d+)\\b.*?\\bscope (\\w+)");

    /** The subnets of {@code ip -4 -o addr show} output, loopback and host-scope addresses left out. */
    public static List<Subnet> parseAddresses(String ipAddrShow) {
        List<Subnet> subnets = new ArrayList<>();
        for (String line : ipAddrShow.split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words.length < 2) continue;
            Matcher m = INET.matcher(line);
            if (!m.find() || "host".equals(m.group(3))) continue;
            int bits = Integer.parseInt(m.group(2));
            if (bits > 32) continue;
            String device = words[1];
            subnets.add(new Subnet(device, toInt(m.group(1)) & mask(bits), bits));
        }
        return subnets;
    }

    /** destination to gateway of {@code ip -4 route show proto 98} output (routes without a gateway included, as ""). */
    public static Map<String, String> parseRoutes(String ipRouteShow) {
        Map<String, String> routes = new LinkedHashMap<>();
        for (String line : ipRouteShow.split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words.length == 0 || words[0].isEmpty()) continue;
            String dst = words[0];
            if (dst.equals("default")) dst = "0.0.0.0/0";
            if (!dst.contains("/") && isIpv4(dst)) dst = dst + "/32";
            String via = "";
            for (int i = 1; i < words.length - 1; i++) {
                if (words[i].equals("via")) via = words[i + 1];
            }
            routes.put(dst, via);
        }
        return routes;
    }

    /** {@code ip -batch} lines that turn {@code installed} (our routes now) into {@code wanted}. */
    public static List<String> batch(Map<String, String> wanted, Map<String, String> installed) {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, String> route : installed.entrySet()) {
            if (!wanted.containsKey(route.getKey())) {
                lines.add("route del " + route.getKey() + " proto " + PROTOCOL);
            }
        }
        for (Map.Entry<String, String> route : wanted.entrySet()) {
            if (!Objects.equals(installed.get(route.getKey()), route.getValue())) {
                lines.add("route replace " + route.getKey() + " via " + route.getValue() + " proto " + PROTOCOL);
            }
        }
        return lines;
    }

    static boolean isIpv4(String s) {
        if (!s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) return false;
        for (String part : s.split("\\.")) {
            if (Integer.parseInt(part) > 255) return false;
        }
        return true;
    }

    static boolean isIpv4Cidr(String s) {
        String[] parts = s.split("/", -1);
        return parts.length == 2 && isIpv4(parts[0]) && parts[1].matches("\\d{1,2}") && Integer.parseInt(parts[1]) <= 32;
    }

    static int toInt(String ipv4) {
        byte[] b = InetAddress.ofLiteral(ipv4).getAddress();
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    static int mask(int bits) {
        return bits == 0 ? 0 : (int) (0xffffffffL << (32 - bits));
    }
}
