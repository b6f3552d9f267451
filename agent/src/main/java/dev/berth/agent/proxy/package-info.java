/**
 * The service proxy: from Services, EndpointSlices and this node's Pods a pure model computes the
 * {@link dev.berth.agent.proxy.ProxyTable} (what every cluster IP, NodePort and hostPort leads
 * to); a {@link dev.berth.agent.proxy.ProxyDataplane} makes the node forward traffic that way. The
 * iptables dataplane renders the table into chains of its own and applies them with
 * {@code iptables-restore --noflush}; the userspace dataplane (Netty) listens on the cluster IPs, NodePorts and hostPorts itself and
 * relays connections, for nodes without it.
 */
package dev.berth.agent.proxy;
