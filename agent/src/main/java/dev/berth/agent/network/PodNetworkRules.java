package dev.berth.agent.network;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The pod network's iptables rules, as {@code iptables-restore --noflush} input computed from what
 * {@code iptables-save} shows: a filter chain accepting forwarded traffic from and to the cluster
 * range (jumped to from {@code DOCKER-USER} where Docker made it, so that it wins over Docker's
 * FORWARD policy DROP and its isolation chains; else from the top of {@code FORWARD}), and a nat
 * chain masquerading traffic from the cluster range that leaves it (traffic to the service range
 * excepted). Chains are named {@code BERTH-PN-<KIND>-<hash>}, the hash being that of the agent's
 * name prefix, so that two agents (or a test's) never touch each other's rules. The input declares
 * each chain (which flushes it) and rewrites it whole, adds a missing jump, and deletes jumps and
 * chains of the same hash that are no longer wanted: applying it again changes nothing.
 */
public final class PodNetworkRules {
    /** Every chain of the pod network starts with this. */
    public static final String CHAIN_PREFIX = "BERTH-PN-";
    /** iptables' limit on chain names. */
    static final int CHAIN_NAME_MAX = 28;

    private final String hash;
    private final String forwardChain;
    private final String masqueradeChain;

    /** Rules of the agent whose {@code AgentOptions.namePrefix} is {@code namePrefix}. */
    public PodNetworkRules(String namePrefix) {
        Objects.requireNonNull(namePrefix, "namePrefix");
        this.hash = hash(namePrefix);
        this.forwardChain = CHAIN_PREFIX + "FWD-" + hash;
        this.masqueradeChain = CHAIN_PREFIX + "MASQ-" + hash;
    }

    /** The first 8 hex digits of the SHA-256 of {@code namePrefix}. */
    static String hash(String namePrefix) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(namePrefix.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The filter chain accepting forwarded cluster traffic. */
    public String forwardChain() {
        return forwardChain;
    }

    /** The nat chain masquerading traffic leaving the cluster range. */
    public String masqueradeChain() {
        return masqueradeChain;
    }

    /** Whether {@code chain} is one of this agent's (by its hash), wanted now or left by an earlier version. */
    boolean owns(String chain) {
        return chain.startsWith(CHAIN_PREFIX) && chain.endsWith("-" + hash);
    }

    /**
     * The restore input that makes the rules right, given the current {@code iptables-save -t filter}
     * and {@code -t nat} output.
     */
    public String restoreInput(String clusterCidr, String serviceCidr, String filterSave, String natSave) {
        Objects.requireNonNull(clusterCidr, "clusterCidr");
        Objects.requireNonNull(serviceCidr, "serviceCidr");
        Table filter = Table.parse(filterSave);
        Table nat = Table.parse(natSave);
        StringBuilder out = new StringBuilder();

        String parent = filter.chains.contains("DOCKER-USER") ? "DOCKER-USER" : "FORWARD";
        Map<String, List<String>> filterChains = new LinkedHashMap<>();
        // traffic still addressed to the service range was not translated to an endpoint: it is the
        // Service proxy's to refuse, not ours to let through to the default route
        filterChains.put(forwardChain, List.of(
                "-d " + serviceCidr + " -j RETURN",
                "-s " + clusterCidr + " -j ACCEPT",
                "-d " + clusterCidr + " -j ACCEPT"));
        writeTable(out, "filter", filter, filterChains, List.of(new Jump(parent, "-j " + forwardChain)));

        Map<String, List<String>> natChains = new LinkedHashMap<>();
        natChains.put(masqueradeChain, List.of(
                "-d " + clusterCidr + " -j RETURN",
                "-d " + serviceCidr + " -j RETURN",
                "-j MASQUERADE"));
        writeTable(out, "nat", nat, natChains, List.of(new Jump("POSTROUTING", "-s " + clusterCidr + " -j " + masqueradeChain)));
        return out.toString();
    }

    /** The restore input that removes every rule and chain of this agent's (for uninstalling, and for tests). */
    public String removalInput(String filterSave, String natSave) {
        StringBuilder out = new StringBuilder();
        writeTable(out, "filter", Table.parse(filterSave), Map.of(), List.of());
        writeTable(out, "nat", Table.parse(natSave), Map.of(), List.of());
        return out.toString();
    }

    /** A rule in a chain that is not ours, jumping to one of ours. */
    record Jump(String chain, String spec) {
    }

    private void writeTable(StringBuilder out, String name, Table table, Map<String, List<String>> wanted,
                            List<Jump> wantedJumps) {
        out.append('*').append(name).append('\n');
        for (Map.Entry<String, List<String>> chain : wanted.entrySet()) {
            out.append(':').append(chain.getKey()).append(" - [0:0]\n");
            for (String rule : chain.getValue()) {
                out.append("-A ").append(chain.getKey()).append(' ').append(rule).append('\n');
            }
        }
        // jumps into our chains from chains that are not ours: keep one of each wanted, delete the rest
        Set<Jump> seen = new LinkedHashSet<>();
        for (Jump present : table.jumps(this)) {
            if (wantedJumps.contains(present) && seen.add(present)) continue;
            out.append("-D ").append(present.chain()).append(' ').append(present.spec()).append('\n');
        }
        for (Jump jump : wantedJumps) {
            if (!seen.contains(jump)) {
                out.append("-I ").append(jump.chain()).append(" 1 ").append(jump.spec()).append('\n');
            }
        }
        // chains of ours no longer wanted: flushed by declaring them, then deleted
        for (String chain : table.chains) {
            if (owns(chain) && !wanted.containsKey(chain)) {
                out.append(':').append(chain).append(" - [0:0]\n");
                out.append("-X ").append(chain).append('\n');
            }
        }
        out.append("COMMIT\n");
    }

    /** One table of {@code iptables-save} output: its chains and its rules, as printed. */
    record Table(Set<String> chains, List<String[]> rules) {
        static Table parse(String save) {
            Set<String> chains = new LinkedHashSet<>();
            List<String[]> rules = new ArrayList<>();
            for (String line : save.split("\n")) {
                line = line.strip();
                if (line.startsWith(":")) {
                    int space = line.indexOf(' ');
                    chains.add(space < 0 ? line.substring(1) : line.substring(1, space));
                } else if (line.startsWith("-A ")) {
                    String rest = line.substring(3);
                    int space = rest.indexOf(' ');
                    if (space > 0) rules.add(new String[]{rest.substring(0, space), rest.substring(space + 1)});
                }
            }
            return new Table(chains, rules);
        }

        List<Jump> jumps(PodNetworkRules owner) {
            List<Jump> jumps = new ArrayList<>();
            for (String[] rule : rules) {
                if (owner.owns(rule[0])) continue;
                String target = target(rule[1]);
                if (target != null && owner.owns(target)) jumps.add(new Jump(rule[0], rule[1]));
            }
            return jumps;
        }

        private static String target(String spec) {
            String[] words = spec.split("\\s+");
            for (int i = 0; i < words.length - 1; i++) {
                if (words[i].equals("-j") || words[i].equals("-g")) return words[i + 1];
            }
            return null;
        }
    }
}
