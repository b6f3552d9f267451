package dev.berth.agent.network;

import dev.berth.agent.network.NetworkPolicyModel.Allow;
import dev.berth.agent.network.NetworkPolicyModel.PodPolicy;
import dev.berth.agent.network.NetworkPolicyModel.Peer;
import dev.berth.agent.network.NetworkPolicyModel.Port;

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
 * NetworkPolicy as iptables filter rules, rendered as {@code iptables-restore --noflush} input from
 * the {@link NetworkPolicyModel} and the current {@code iptables-save -t filter}.
 *
 * <pre>
 *   FORWARD (first rule) -j BNP-&lt;h&gt;-FWD
 *   BNP-&lt;h&gt;-FWD:  ESTABLISHED,RELATED -j RETURN       replies of allowed connections
 *                   -s POD_IP -j BNP-&lt;h&gt;-E-&lt;pod&gt;     pods isolated for egress
 *                   -d POD_IP -j BNP-&lt;h&gt;-I-&lt;pod&gt;     pods isolated for ingress
 *   BNP-&lt;h&gt;-I-&lt;pod&gt;: [-s PEER] [-p PROTO --dport PORT[:END]] -j RETURN   per allowed peer and port
 *                   ... -j REJECT                       the rest
 * </pre>
 * A chain returning means "allowed so far": the packet goes on to the next check (a pod's egress,
 * then the destination's ingress) and finally to the pod network's own ACCEPT rules. An ipBlock
 * with {@code except} gets a chain of its own ({@code BNP-<h>-X-...}) that returns for the
 * exceptions and marks the packet ({@value #MARK}) for the rest; the pod chain returns on the
 * mark. Traffic from the node itself (kubelet probes, the node-local DNS, the userspace proxy)
 * goes through OUTPUT, never FORWARD, and so is always allowed, as in Kubernetes. Chain names
 * carry {@code <h>}, 6 hex digits of SHA-256 of the agent's name prefix, so agents never touch
 * each other's rules.
 */
public final class NetworkPolicyRules {
    /** Every chain of NetworkPolicy starts with this. */
    public static final String CHAIN_PREFIX = "BNP-";
    /** The packet mark bit an ipBlock's chain sets for "allowed". */
    static final String MARK = "0x20000/0x20000";

    private final String stem;
    private final String top;

    public NetworkPolicyRules(String namePrefix) {
        Objects.requireNonNull(namePrefix, "namePrefix");
        this.stem = CHAIN_PREFIX + hash(namePrefix).substring(0, 6) + "-";
        this.top = stem + "FWD";
    }

    /** The chain jumped to from FORWARD. */
    public String topChain() {
        return top;
    }

    /** The stem of every chain of this agent's. */
    public String stem() {
        return stem;
    }

    /** The restore input that makes the filter table enforce {@code pods}, given its {@code iptables-save -t filter}. */
    public String restoreInput(List<PodPolicy> pods, String filterSave) {
        Map<String, List<String>> chains = chains(pods);
        return write(chains, filterSave);
    }

    /** The wanted chains and their rules (no chain at all when no pod is isolated). */
    Map<String, List<String>> chains(List<PodPolicy> pods) {
        Map<String, List<String>> chains = new LinkedHashMap<>();
        if (pods.isEmpty()) return chains;
        List<String> topRules = new ArrayList<>();
        topRules.add("-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN");
        chains.put(top, topRules);
        for (PodPolicy p : pods) {
            if (p.egressIsolated()) {
                String chain = stem + "E-" + hash(p.pod() + "|" + p.ip()).substring(0, 10);
                topRules.add("-s " + p.ip() + "/32 -m comment --comment \"" + p.pod() + " egress\" -j " + chain);
                chains.put(chain, podRules(chain, p.egress(), "-d", chains));
            }
        }
        for (PodPolicy p : pods) {
            if (p.ingressIsolated()) {
                String chain = stem + "I-" + hash(p.pod() + "|" + p.ip()).substring(0, 10);
                topRules.add("-d " + p.ip() + "/32 -m comment --comment \"" + p.pod() + " ingress\" -j " + chain);
                chains.put(chain, podRules(chain, p.ingress(), "-s", chains));
            }
        }
        return chains;
    }

    private List<String> podRules(String chain, List<Allow> allows, String peerFlag, Map<String, List<String>> chains) {
        List<String> rules = new ArrayList<>();
        boolean marks = allows.stream().anyMatch(a -> a.peer() != null && !a.peer().except().isEmpty());
        if (marks) rules.add("-j MARK --set-xmark 0x0/0x20000");
        for (Allow a : allows) {
            String port = port(a.port());
            Peer peer = a.peer();
            if (peer == null || peer.except().isEmpty()) {
                String match = (peer == null || peer.cidr().equals("0.0.0.0/0") ? "" : peerFlag + " " + peer.cidr() + " ") + port;
                rules.add(match + "-j RETURN");
            } else {
                String blockChain = stem + "X-" + hash(chain + "|" + peer + "|" + a.port()).substring(0, 10);
                List<String> block = new ArrayList<>();
                for (String e : peer.except()) block.add(peerFlag + " " + e + " -j RETURN");
                block.add(peerFlag + " " + peer.cidr() + " -j MARK --set-xmark " + MARK);
                chains.put(blockChain, block);
                rules.add(port + "-j " + blockChain);
                rules.add("-m mark --mark " + MARK + " -j RETURN");
            }
        }
        rules.add("-j REJECT");
        return rules;
    }

    private static String port(Port p) {
        if (p == null) return "";
        String proto = p.protocol().toLowerCase(Locale.ROOT);
        if (p.port() == 0) return "-p " + proto + " ";
        String range = p.endPort() > 0 ? p.port() + ":" + p.endPort() : Integer.toString(p.port());
        return "-p " + proto + " -m " + proto + " --dport " + range + " ";
    }

    private String write(Map<String, List<String>> chains, String filterSave) {
        List<String> chainNames = new ArrayList<>();
        List<String[]> forward = new ArrayList<>();
        List<String[]> foreignJumps = new ArrayList<>();
        for (String line : filterSave.split("\n")) {
            line = line.strip();
            if (line.startsWith(":")) {
                int space = line.indexOf(' ');
                chainNames.add(space < 0 ? line.substring(1) : line.substring(1, space));
            } else if (line.startsWith("-A ")) {
                String rest = line.substring(3);
                int space = rest.indexOf(' ');
                if (space < 0) continue;
                String[] rule = {rest.substring(0, space), rest.substring(space + 1)};
                if (rule[0].equals("FORWARD")) forward.add(rule);
                if (!rule[0].startsWith(stem) && rule[1].matches(".*-[jg] " + java.util.regex.Pattern.quote(stem) + "\\S+.*")) {
                    foreignJumps.add(rule);
                }
            }
        }
        StringBuilder out = new StringBuilder("*filter\n");
        for (Map.Entry<String, List<String>> c : chains.entrySet()) out.append(':').append(c.getKey()).append(" - [0:0]\n");
        for (Map.Entry<String, List<String>> c : chains.entrySet()) {
            for (String rule : c.getValue()) out.append("-A ").append(c.getKey()).append(' ').append(rule).append('\n');
        }
        String hook = "-j " + top;
        boolean hookFirst = !chains.isEmpty() && !forward.isEmpty() && forward.getFirst()[1].equals(hook)
                && foreignJumps.stream().filter(j -> j[0].equals("FORWARD") && j[1].equals(hook)).count() == 1
                && foreignJumps.size() == 1;
        if (!hookFirst) {
            for (String[] j : foreignJumps) out.append("-D ").append(j[0]).append(' ').append(j[1]).append('\n');
            if (!chains.isEmpty()) out.append("-I FORWARD 1 ").append(hook).append('\n');
        }
        for (String name : chainNames) {
            if (name.startsWith(stem) && !chains.containsKey(name)) {
                out.append(':').append(name).append(" - [0:0]\n");
            }
        }
        for (String name : chainNames) {
            if (name.startsWith(stem) && !chains.containsKey(name)) out.append("-X ").append(name).append('\n');
        }
        out.append("COMMIT\n");
        return out.toString();
    }

    static String hash(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
