package dev.berth.agent.proxy;

import dev.berth.agent.network.HostCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The iptables mode: renders the table ({@link IptablesRules}) and applies it with
 * {@code iptables-restore --noflush}, which replaces the proxy's own chains in one transaction per
 * table and leaves every other rule alone. Conntrack is never touched, so established
 * connections keep their translation across re-renders and agent restarts.
 *
 * <p>The first call after a start rewrites all of the proxy's chains; later calls rewrite only the
 * chains whose rules changed and delete the chains no longer rendered. A {@code resync} also reads
 * {@code iptables-save}: chains of this proxy that are missing, hold a different number of rules
 * than rendered or are no longer wanted are repaired, and the hook jumps from the built-in chains
 * are added where missing and removed where doubled or stale.
 */
public final class IptablesDataplane implements ProxyDataplane {
    /** The mode name on the Node. */
    public static final String MODE = "iptables";
    private static final Logger log = LoggerFactory.getLogger(IptablesDataplane.class);

    private final HostCommand host;
    private final IptablesRules rules;
    private RuleSet applied;
    private String lastInput = "";

    public IptablesDataplane(HostCommand host, IptablesRules rules) {
        this.host = Objects.requireNonNull(host, "host");
        this.rules = Objects.requireNonNull(rules, "rules");
    }

    /**
     * Whether {@code iptables-restore} works here: creates and deletes an empty chain of the proxy's
     * own in the filter table, in one transaction.
     *
     * @return null when it works, else why not
     */
    public static String probe(HostCommand host, String stem) {
        if (host.netns() == null && !HostCommand.available("iptables-restore")) {
            return "iptables-restore is not installed";
        }
        String chain = stem + "PROBE";
        try {
            HostCommand.Result r = host.run(List.of("iptables-restore", "-w", "5", "--noflush"),
                    "*filter\n:" + chain + " - [0:0]\n-X " + chain + "\nCOMMIT\n");
            return r.ok() ? null : "iptables-restore failed with exit code " + r.exitCode() + ": " + r.stderr().strip();
        } catch (HostCommand.CommandFailedException e) {
            return e.getMessage();
        }
    }

    @Override
    public String mode() {
        return MODE;
    }

    /** The rule set last applied, or null before the first or after a failure. */
    public synchronized RuleSet applied() {
        return applied;
    }

    /** The last iptables-restore input applied (runs where nothing needed changing apply none). */
    public synchronized String lastInput() {
        return lastInput;
    }

    @Override
    public synchronized void program(ProxyTable table, boolean resync) {
        RuleSet desired = rules.render(table);
        String input;
        if (applied == null || resync) {
            input = fullInput(desired, readState(), applied == null);
        } else {
            input = incrementalInput(desired, applied);
        }
        applied = null;
        if (!input.isEmpty()) {
            restore(input);
            lastInput = input;
        }
        applied = desired;
    }

    private void restore(String input) {
        try {
            host.check(List.of("iptables-restore", "-w", "5", "--noflush"), input);
        } catch (HostCommand.CommandFailedException e) {
            log.debug("iptables-restore input that failed:\n{}", input);
            throw e;
        }
    }

    /** The proxy's chains and hook rules as the kernel has them now. */
    State readState() {
        State state = new State();
        for (String table : List.of(IptablesRules.NAT, IptablesRules.FILTER)) {
            String saved = host.check(List.of("iptables-save", "-t", table), null);
            state.parse(table, saved, rules.stem());
        }
        return state;
    }

    /** The restore input that makes the kernel match {@code desired}, given what it has now. */
    String fullInput(RuleSet desired, State state, boolean rewriteAll) {
        StringBuilder out = new StringBuilder();
        for (String table : List.of(IptablesRules.NAT, IptablesRules.FILTER)) {
            Map<String, List<String>> want = desired.chains().getOrDefault(table, Map.of());
            Map<String, Integer> have = state.chains.getOrDefault(table, Map.of());
            List<String> rewrite = new ArrayList<>();
            for (var e : want.entrySet()) {
                Integer count = have.get(e.getKey());
                List<String> before = applied == null ? null : applied.rules(table, e.getKey());
                if (rewriteAll || count == null || count != e.getValue().size() || before != null && !e.getValue().equals(before)) {
                    rewrite.add(e.getKey());
                }
            }
            List<String> stale = have.keySet().stream().filter(c -> !want.containsKey(c)).toList();
            List<String> deleteHooks = new ArrayList<>();
            List<RuleSet.Hook> addHooks = new ArrayList<>();
            Map<String, List<String>> hooksHave = state.hooks.getOrDefault(table, Map.of());
            Set<String> wantedHookKeys = new LinkedHashSet<>();
            for (RuleSet.Hook h : desired.hooks()) {
                if (!h.table().equals(table)) continue;
                String key = h.builtin() + " " + h.target();
                wantedHookKeys.add(key);
                List<String> found = hooksHave.getOrDefault(key, List.of());
                if (found.isEmpty()) {
                    addHooks.add(h);
                } else {
                    // one is enough; an earlier crash between two writes never leaves a double, but another tool might
                    for (int i = 1; i < found.size(); i++) deleteHooks.add(found.get(i));
                }
            }
            hooksHave.forEach((key, found) -> {
                if (!wantedHookKeys.contains(key)) deleteHooks.addAll(found);
            });
            if (rewrite.isEmpty() && stale.isEmpty() && deleteHooks.isEmpty() && addHooks.isEmpty()) continue;
            out.append('*').append(table).append('\n');
            for (String c : rewrite) out.append(':').append(c).append(" - [0:0]\n");
            for (String c : stale) out.append(':').append(c).append(" - [0:0]\n");
            for (String c : rewrite) appendRules(out, c, want.get(c));
            for (String rule : deleteHooks) out.append("-D ").append(rule).append('\n');
            for (String c : stale) out.append("-X ").append(c).append('\n');
            // inserted at the top, last first, so that they end up in the rendered order
            for (RuleSet.Hook h : addHooks.reversed()) {
                out.append("-I ").append(h.builtin()).append(" 1 ").append(h.rule()).append('\n');
            }
            out.append("COMMIT\n");
        }
        return out.toString();
    }

    /** The restore input for what changed from {@code before} to {@code desired}: changed chains rewritten, gone ones deleted. */
    static String incrementalInput(RuleSet desired, RuleSet before) {
        StringBuilder out = new StringBuilder();
        for (String table : List.of(IptablesRules.NAT, IptablesRules.FILTER)) {
            Map<String, List<String>> want = desired.chains().getOrDefault(table, Map.of());
            Map<String, List<String>> had = before.chains().getOrDefault(table, Map.of());
            List<String> rewrite = new ArrayList<>();
            for (var e : want.entrySet()) {
                if (!e.getValue().equals(had.get(e.getKey()))) rewrite.add(e.getKey());
            }
            List<String> gone = had.keySet().stream().filter(c -> !want.containsKey(c)).toList();
            if (rewrite.isEmpty() && gone.isEmpty()) continue;
            out.append('*').append(table).append('\n');
            for (String c : rewrite) out.append(':').append(c).append(" - [0:0]\n");
            for (String c : gone) out.append(':').append(c).append(" - [0:0]\n");
            for (String c : rewrite) appendRules(out, c, want.get(c));
            for (String c : gone) out.append("-X ").append(c).append('\n');
            out.append("COMMIT\n");
        }
        return out.toString();
    }

    private static void appendRules(StringBuilder out, String chain, List<String> rules) {
        for (String r : rules) out.append("-A ").append(chain).append(' ').append(r).append('\n');
    }

    /**
     * Removes every chain starting with {@code stem} and every jump to them from the nat and filter
     * tables (for uninstalling, and for tests cleaning up).
     */
    public static void removeAll(HostCommand host, String stem) {
        State state = new State();
        for (String table : List.of(IptablesRules.NAT, IptablesRules.FILTER)) {
            state.parse(table, host.check(List.of("iptables-save", "-t", table), null), stem);
        }
        StringBuilder out = new StringBuilder();
        for (String table : List.of(IptablesRules.NAT, IptablesRules.FILTER)) {
            Map<String, Integer> have = state.chains.getOrDefault(table, Map.of());
            Map<String, List<String>> hooks = state.hooks.getOrDefault(table, Map.of());
            if (have.isEmpty() && hooks.isEmpty()) continue;
            out.append('*').append(table).append('\n');
            for (String c : have.keySet()) out.append(':').append(c).append(" - [0:0]\n");
            hooks.values().forEach(rules -> rules.forEach(r -> out.append("-D ").append(r).append('\n')));
            for (String c : have.keySet()) out.append("-X ").append(c).append('\n');
            out.append("COMMIT\n");
        }
        if (!out.isEmpty()) host.check(List.of("iptables-restore", "-w", "5", "--noflush"), out.toString());
    }

    /** What {@code iptables-save} shows of the proxy: its chains with their rule counts, and jumps into them from built-in chains. */
    static final class State {
        /** table → chain → number of rules. */
        final Map<String, Map<String, Integer>> chains = new HashMap<>();
        /** table → "BUILTIN TARGET" → the rules (as "BUILTIN args...") jumping there. */
        final Map<String, Map<String, List<String>>> hooks = new HashMap<>();

        void parse(String table, String saved, String stem) {
            Map<String, Integer> c = chains.computeIfAbsent(table, t -> new LinkedHashMap<>());
            Map<String, List<String>> h = hooks.computeIfAbsent(table, t -> new LinkedHashMap<>());
            boolean inTable = false;
            for (String line : saved.split("\n")) {
                if (line.startsWith("*")) {
                    inTable = line.substring(1).strip().equals(table);
                } else if (!inTable) {
                    continue;
                } else if (line.startsWith(":")) {
                    String name = line.substring(1).split(" ", 2)[0];
                    if (name.startsWith(stem)) c.putIfAbsent(name, 0);
                } else if (line.startsWith("-A ")) {
                    String rest = line.substring(3);
                    String chain = rest.split(" ", 2)[0];
                    if (chain.startsWith(stem)) {
                        c.merge(chain, 1, Integer::sum);
                    } else {
                        String target = jumpTarget(rest);
                        if (target != null && target.startsWith(stem)) {
                            h.computeIfAbsent(chain + " " + target, k -> new ArrayList<>()).add(rest);
                        }
                    }
                }
            }
        }

        private static String jumpTarget(String rule) {
            int j = rule.lastIndexOf(" -j ");
            if (j < 0) return null;
            return rule.substring(j + 4).strip().split(" ", 2)[0];
        }
    }
}
