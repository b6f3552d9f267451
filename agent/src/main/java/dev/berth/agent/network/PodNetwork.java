package dev.berth.agent.network;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * The pod network as made on this node: the node's podCIDR, the gateway address the host holds on
 * the pod bridge (the first address of the range), and the bridge's interface name where the
 * runtime tells it. Services, routes, DNS and ingress are set up from it.
 *
 * @param cidr    the node's {@code spec.podCIDR}, e.g. {@code 10.42.3.0/24}
 * @param gateway the host's address on the pod bridge, e.g. {@code 10.42.3.1}; the node-local
 *                cluster DNS listens here
 * @param bridge  the bridge's interface name on the host, when the runtime tells it
 */
public record PodNetwork(String cidr, InetAddress gateway, Optional<String> bridge) {
    public PodNetwork {
        Objects.requireNonNull(cidr, "cidr");
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(bridge, "bridge");
    }
}
