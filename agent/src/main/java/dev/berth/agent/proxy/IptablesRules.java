package dev.berth.agent.proxy;

import dev.berth.agent.proxy.ProxyTable.Endpoint;
import dev.berth.agent.proxy.ProxyTable.HostPort;
import dev.berth.agent.proxy.ProxyTable.ServicePort;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Renders a {@link ProxyTable} as iptables rules, the way kube-proxy's iptables mode lays them
 * out, in chains of the proxy's own: every chain name starts with {@code BPROXY-<hash>-}, where the
 * hash is a short stable hash of the agent's name prefix, so that two agents (or a test and the
 * machine's agent) never touch each other's chains, and names stay within iptables' 28 characters.
 *
 * <p>nat: {@code SERVICES} (from PREROUTING and OUTPUT) sends each cluster IP, external IP and
 * port to a per-Service-port chain ({@code S-...}); that one picks an endpoint chain
 * ({@code E-...}) with {@code statistic --mode random --probability}, after {@code recent} checks
 * for ClientIP affinity; the endpoint chain DNATs. NodePorts ({@code NODEPORTS}) and hostPorts
 * ({@code HOSTPORTS}) are reached for local destination addresses (not 127.0.0.0/8). Traffic that
 * must be masqueraded (from outside the cluster CIDR to a cluster IP, NodePort traffic, a pod
 * reaching itself through a Service) is marked in {@code MARK-MASQ} and masqueraded in
 * {@code POSTROUTING}.
 *
 * <p>filter: {@code SERVICES} (from INPUT, FORWARD and OUTPUT, new connections only) rejects
 * connections to Service ports without endpoints; {@code FORWARD} accepts forwarded Service
 * traffic even where the FORWARD policy drops.
 */
public final class IptablesRules {
    /** The packet mark bit for "masquerade this", as kube-proxy's. */
    public static final String MASQ_MARK = "0x4000";
    static final String NAT = "nat";
    static final String FILTER = "filter";

    private final String stem;
    private final String clusterCidr;
    private final String serviceCidr;

    /**
     * @param namePrefix  the agent's name prefix ({@code AgentOptions.namePrefix()})
     * @param clusterCidr the pod range of the whole cluster
     * @param serviceCidr the Service cluster IP range
     */
    public IptablesRules(String namePrefix, String clusterCidr, String serviceCidr) {
        this.stem = stem(namePrefix);
        this.clusterCidr = Objects.requireNonNull(clusterCidr, "clusterCidr");
        this.serviceCidr = Objects.requireNonNull(serviceCidr, "serviceCidr");
    }

    /** {@code BPROXY-<6 hex digits of SHA-256(namePrefix)>-}: the start of every chain of an agent with that prefix. */
    public static String stem(String namePrefix) {
        return "BPROXY-" + sha256Hex(namePrefix).substring(0, 6) + "-";
    }

    /** The start of every chain this renderer names. */
    public String stem() {
        return stem;
    }

    public String servicesChain() {
        return stem + "SERVICES";
    }

    public String nodePortsChain() {
        return stem + "NODEPORTS";
    }

    public String hostPortsChain() {
        return stem + "HOSTPORTS";
    }

    public String markMasqChain() {
        return stem + "MARK-MASQ";
    }

    public String postroutingChain() {
        return stem + "POSTROUTING";
    }

    public String forwardChain() {
        return stem + "FORWARD";
    }

    /** The chain of one Service port: {@code S-} and 12 hex digits of a hash of its key and protocol. */
    public String serviceChain(ServicePort p) {
        return stem + "S-" + sha256Hex(p.key() + "/" + p.protocol().iptables()).substring(0, 12).toUpperCase(Locale.ROOT);
    }

    /** The chain of one endpoint of a Service port. */
    public String endpointChain(ServicePort p, Endpoint e) {
        return stem + "E-" + sha256Hex(p.key() + "/" + p.protocol().iptables() + "/" + e)
                .substring(0, 12).toUpperCase(Locale.ROOT);
    }

    /** The chain of one hostPort. */
    public String hostPortChain(HostPort h) {
        return stem + "H-" + sha256Hex(h.pod() + "/" + h.hostIp() + "/" + h.hostPort() + "/" + h.protocol().iptables()
                + "/" + h.podIp() + ":" + h.containerPort()).substring(0, 12).toUpperCase(Locale.ROOT);
    }

    /** The rules for {@code table}. */
    public RuleSet render(ProxyTable table) {
        Map<String, List<String>> nat = new LinkedHashMap<>();
        Map<String, List<String>> filter = new LinkedHashMap<>();
        List<String> services = new ArrayList<>();
        List<String> nodePorts = new ArrayList<>();
        List<String> hostPorts = new ArrayList<>();
        List<String> rejects = new ArrayList<>();
        nat.put(servicesChain(), services);
        nat.put(nodePortsChain(), nodePorts);
        nat.put(hostPortsChain(), hostPorts);
        nat.put(markMasqChain(), List.of("-j MARK --or-mark " + MASQ_MARK));
        nat.put(postroutingChain(), List.of(
                "-m mark ! --mark " + MASQ_MARK + "/" + MASQ_MARK + " -j RETURN",
                // clear the mark so that a packet passing again (e.g. re-routed) is not masqueraded twice
                "-j MARK --xor-mark " + MASQ_MARK,
                "-m comment --comment \"berth service traffic requiring SNAT\" -j MASQUERADE --random-fully"));

        for (ServicePort p : table.services()) {
            String proto = p.protocol().iptables();
            String match = "-p " + proto + " -m " + proto + " --dport " + p.port();
            if (p.endpoints().isEmpty()) {
                String why = comment(p.key() + " has no endpoints");
                rejects.add(why + " -d " + p.clusterIp() + "/32 " + match + " -j REJECT --reject-with icmp-port-unreachable");
                for (String ip : p.externalIps()) {
                    rejects.add(why + " -d " + ip + "/32 " + match + " -j REJECT --reject-with icmp-port-unreachable");
                }
                if (p.nodePort() > 0) {
                    rejects.add(why + " -m addrtype --dst-type LOCAL -p " + proto + " -m " + proto + " --dport "
                            + p.nodePort() + " -j REJECT --reject-with icmp-port-unreachable");
                }
                continue;
            }
            String svcChain = serviceChain(p);
            services.add(comment(p.key() + " cluster IP") + " -d " + p.clusterIp() + "/32 " + match + " -j " + svcChain);
            for (String ip : p.externalIps()) {
                String c = comment(p.key() + " external IP");
                services.add(c + " -d " + ip + "/32 " + match + " -j " + markMasqChain());
                services.add(c + " -d " + ip + "/32 " + match + " -j " + svcChain);
            }
            if (p.nodePort() > 0) {
                String c = comment(p.key() + " node port");
                String np = "-p " + proto + " -m " + proto + " --dport " + p.nodePort();
                nodePorts.add(c + " " + np + " -j " + markMasqChain());
                nodePorts.add(c + " " + np + " -j " + svcChain);
            }
            List<String> svc = new ArrayList<>();
            // clients outside the cluster range (the node itself, other hosts) are masqueraded so replies come back here
            svc.add(comment(p.key() + " cluster IP") + " ! -s " + clusterCidr + " -d " + p.clusterIp() + "/32 " + match
                    + " -j " + markMasqChain());
            List<Endpoint> eps = p.endpoints();
            if (p.affinitySeconds() > 0) {
                for (Endpoint e : eps) {
                    String ep = endpointChain(p, e);
                    svc.add(comment(p.key() + " -> " + e) + " -m recent --name " + ep + " --rcheck --seconds "
                            + p.affinitySeconds() + " --reap -j " + ep);
                }
            }
            for (int i = 0; i < eps.size(); i++) {
                Endpoint e = eps.get(i);
                String ep = endpointChain(p, e);
                int left = eps.size() - i;
                svc.add(comment(p.key() + " -> " + e)
                        + (left > 1 ? " -m statistic --mode random --probability " + probability(left) : "")
                        + " -j " + ep);
                List<String> sep = new ArrayList<>();
                // a pod reaching itself through the Service: its reply must come back through here
                sep.add(comment(p.key()) + " -s " + e.ip() + "/32 -j " + markMasqChain());
                sep.add(comment(p.key()) + " -p " + proto + (p.affinitySeconds() > 0 ? " -m recent --name " + ep + " --set" : "")
                        + " -m " + proto + " -j DNAT --to-destination " + e);
                nat.put(ep, sep);
            }
            nat.put(svcChain, svc);
        }

        for (HostPort h : table.hostPorts()) {
            String proto = h.protocol().iptables();
            String chain = hostPortChain(h);
            hostPorts.add(comment(h.pod() + " hostPort " + h.hostPort()) + (h.hostIp().isEmpty() ? "" : " -d " + h.hostIp() + "/32")
                    + " -p " + proto + " -m " + proto + " --dport " + h.hostPort() + " -j " + chain);
            nat.put(chain, List.of(
                    comment(h.pod()) + " -s " + h.podIp() + "/32 -j " + markMasqChain(),
                    comment(h.pod()) + " -p " + proto + " -m " + proto + " -j DNAT --to-destination " + h.podIp() + ":"
                            + h.containerPort()));
        }
        // must stay last: only what no Service address matched is looked up by local port
        if (!table.hostPorts().isEmpty()) {
            services.add(comment("berth host ports") + " ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j " + hostPortsChain());
        }
        services.add(comment("berth service nodeports; must be the last rule in this chain")
                + " ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j " + nodePortsChain());

        filter.put(servicesChain(), rejects);
        filter.put(forwardChain(), List.of(
                comment("berth forwarding rules for marked service traffic") + " -m mark --mark " + MASQ_MARK + "/"
                        + MASQ_MARK + " -j ACCEPT",
                comment("berth cluster IP traffic") + " -m conntrack --ctstate DNAT --ctorigdst " + serviceCidr
                        + " -j ACCEPT"));

        List<RuleSet.Hook> hooks = List.of(
                hook(NAT, "PREROUTING", "-m comment --comment \"berth service portals\" -j " + servicesChain(), servicesChain()),
                hook(NAT, "OUTPUT", "-m comment --comment \"berth service portals\" -j " + servicesChain(), servicesChain()),
                hook(NAT, "POSTROUTING", "-m comment --comment \"berth service postrouting rules\" -j " + postroutingChain(),
                        postroutingChain()),
                hook(FILTER, "INPUT", "-m conntrack --ctstate NEW -m comment --comment \"berth service portals\" -j "
                        + servicesChain(), servicesChain()),
                hook(FILTER, "FORWARD", "-m conntrack --ctstate NEW -m comment --comment \"berth service portals\" -j "
                        + servicesChain(), servicesChain()),
                hook(FILTER, "OUTPUT", "-m conntrack --ctstate NEW -m comment --comment \"berth service portals\" -j "
                        + servicesChain(), servicesChain()),
                hook(FILTER, "FORWARD", "-m comment --comment \"berth forwarding rules\" -j " + forwardChain(),
                        forwardChain()));
        Map<String, Map<String, List<String>>> chains = new LinkedHashMap<>();
        chains.put(NAT, nat);
        chains.put(FILTER, filter);
        return new RuleSet(chains, hooks);
    }

    private static RuleSet.Hook hook(String table, String builtin, String rule, String target) {
        return new RuleSet.Hook(table, builtin, rule, target);
    }

    /** 1/n with ten decimals, as kube-proxy writes it. */
    static String probability(int n) {
        return String.format(Locale.ROOT, "%.10f", 1.0 / n);
    }

    private static String comment(String text) {
        return "-m comment --comment \"" + text.replace("\"", "'") + "\"";
    }

    private static String sha256Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }
}
