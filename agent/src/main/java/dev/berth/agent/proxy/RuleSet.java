package dev.berth.agent.proxy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The iptables rules of the proxy: the contents of its own chains, per table, and the one jump
 * rule per built-in chain that hooks them in. A rule is its iptables arguments after
 * {@code -A CHAIN}.
 *
 * @param chains table name → chain name → rules, in order
 * @param hooks  the jumps from built-in chains into the proxy's chains
 */
public record RuleSet(Map<String, Map<String, List<String>>> chains, List<Hook> hooks) {
    public RuleSet {
        Map<String, Map<String, List<String>>> copy = new LinkedHashMap<>();
        chains.forEach((table, byChain) -> {
            Map<String, List<String>> c = new LinkedHashMap<>();
            byChain.forEach((chain, rules) -> c.put(chain, List.copyOf(rules)));
            copy.put(table, Collections.unmodifiableMap(c));
        });
        chains = Collections.unmodifiableMap(copy);
        hooks = List.copyOf(hooks);
    }

    /**
     * A jump from a built-in chain into one of the proxy's chains.
     *
     * @param table   {@code nat} or {@code filter}
     * @param builtin the built-in chain, e.g. {@code PREROUTING}
     * @param rule    the rule's arguments, ending in {@code -j CHAIN}
     * @param target  the proxy chain it jumps to
     */
    public record Hook(String table, String builtin, String rule, String target) {
        public Hook {
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(builtin, "builtin");
            Objects.requireNonNull(rule, "rule");
            Objects.requireNonNull(target, "target");
        }
    }

    /** The rules of {@code chain} in {@code table}, or null when the set has no such chain. */
    public List<String> rules(String table, String chain) {
        Map<String, List<String>> t = chains.get(table);
        return t == null ? null : t.get(chain);
    }

    /** How many rules the set has in all its chains. */
    public int size() {
        return chains.values().stream().flatMap(m -> m.values().stream()).mapToInt(List::size).sum();
    }
}
