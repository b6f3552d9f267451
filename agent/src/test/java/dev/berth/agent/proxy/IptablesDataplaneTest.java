package dev.berth.agent.proxy;

import dev.berth.agent.network.HostCommand;
import dev.berth.agent.proxy.ProxyTable.Endpoint;
import dev.berth.agent.proxy.ProxyTable.Protocol;
import dev.berth.agent.proxy.ProxyTable.ServicePort;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The restore inputs the iptables dataplane writes, from what the kernel has (as iptables-save shows it) and what is rendered. */
class IptablesDataplaneTest {
    private final IptablesRules rules = new IptablesRules("berth-", "10.42.0.0/16", "10.43.0.0/16");
    private final String s = rules.stem();
    private final IptablesDataplane dataplane = new IptablesDataplane(new HostCommand("/nonexistent", Duration.ofSeconds(1)), rules);

    private static ServicePort web(Endpoint... eps) {
        return new ServicePort("default", "web", "", Protocol.TCP, "10.43.0.5", 80, 0, List.of(), 0, List.of(eps), false);
    }

    private RuleSet render(ServicePort... ports) {
        return rules.render(new ProxyTable(List.of(ports), List.of()));
    }

    private static List<String> lines(String input) {
        return Arrays.asList(input.split("\n"));
    }

    @Test
    void aFirstApplyRewritesEveryChainAndInsertsTheHooksInOrder() {
        IptablesDataplane.State empty = new IptablesDataplane.State();
        empty.parse("nat", "*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER\nCOMMIT\n", s);
        empty.parse("filter", "*filter\n:FORWARD DROP [0:0]\nCOMMIT\n", s);
        RuleSet set = render(web(new Endpoint("10.42.1.7", 80)));
        List<String> in = lines(dataplane.fullInput(set, empty, true));
        assertThat(in).startsWith("*nat").contains(":" + s + "SERVICES - [0:0]", "COMMIT", "*filter");
        assertThat(in).contains("-I PREROUTING 1 -m comment --comment \"berth service portals\" -j " + s + "SERVICES");
        // FORWARD: the reject chain first, the accept chain after it
        int services = in.indexOf("-I FORWARD 1 -m conntrack --ctstate NEW -m comment --comment \"berth service portals\" -j "
                + s + "SERVICES");
        int forward = in.indexOf("-I FORWARD 1 -m comment --comment \"berth forwarding rules\" -j " + s + "FORWARD");
        assertThat(forward).isPositive().isLessThan(services);
        assertThat(in).noneMatch(l -> l.startsWith("-F") || l.contains("DOCKER"));
    }

    @Test
    void aResyncRepairsWhatDiffersAndDeletesStaleChainsAndDoubledHooks() {
        RuleSet set = render(web(new Endpoint("10.42.1.7", 80)));
        String svcChain = rules.serviceChain(web());
        StringBuilder nat = new StringBuilder("*nat\n");
        set.chains().get("nat").keySet().forEach(c -> nat.append(':').append(c).append(" - [0:0]\n"));
        nat.append(":").append(s).append("S-0123456789AB - [0:0]\n");
        nat.append(":KUBE-SERVICES - [0:0]\n");
        set.chains().get("nat").forEach((c, rs) -> {
            // someone flushed the service chain
            if (!c.equals(svcChain)) rs.forEach(r -> nat.append("-A ").append(c).append(' ').append(r).append('\n'));
        });
        for (var h : set.hooks()) {
            if (h.table().equals("nat")) nat.append("-A ").append(h.builtin()).append(' ').append(h.rule()).append('\n');
        }
        nat.append("-A OUTPUT -m comment --comment \"berth service portals\" -j ").append(s).append("SERVICES\n");
        nat.append("-A PREROUTING -j ").append(s).append("S-0123456789AB\n");
        nat.append("-A PREROUTING -j KUBE-SERVICES\nCOMMIT\n");
        IptablesDataplane.State state = new IptablesDataplane.State();
        state.parse("nat", nat.toString(), s);
        state.parse("filter", "*filter\nCOMMIT\n", s);
        String input = dataplane.fullInput(set, state, false);
        List<String> in = lines(input.substring(0, input.indexOf("*filter")));
        assertThat(in).contains(":" + svcChain + " - [0:0]", ":" + s + "S-0123456789AB - [0:0]",
                "-D PREROUTING -j " + s + "S-0123456789AB",
                "-D OUTPUT -m comment --comment \"berth service portals\" -j " + s + "SERVICES",
                "-X " + s + "S-0123456789AB");
        assertThat(in).noneMatch(l -> l.contains("KUBE-SERVICES"));
        assertThat(in).noneMatch(l -> l.startsWith("-I "));
        // the -D of the stale hook comes before the -X of its chain
        assertThat(in.indexOf("-D PREROUTING -j " + s + "S-0123456789AB")).isLessThan(in.indexOf("-X " + s + "S-0123456789AB"));
    }

    @Test
    void anIncrementalApplyRewritesOnlyChangedChainsAndDeletesGoneOnes() {
        Endpoint a = new Endpoint("10.42.1.7", 80), b = new Endpoint("10.42.1.8", 80);
        RuleSet before = render(web(a, b));
        RuleSet after = render(web(a));
        List<String> in = lines(IptablesDataplane.incrementalInput(after, before));
        String svc = rules.serviceChain(web());
        String gone = rules.endpointChain(web(), b);
        assertThat(in).containsExactly("*nat", ":" + svc + " - [0:0]", ":" + gone + " - [0:0]",
                "-A " + svc + " " + after.rules("nat", svc).get(0),
                "-A " + svc + " " + after.rules("nat", svc).get(1),
                "-X " + gone, "COMMIT");
        assertThat(IptablesDataplane.incrementalInput(after, after)).isEmpty();
    }

    @Test
    void aServiceLosingItsLastEndpointMovesFromNatToAReject() {
        RuleSet before = render(web(new Endpoint("10.42.1.7", 80)));
        RuleSet after = render(web());
        String input = IptablesDataplane.incrementalInput(after, before);
        assertThat(input).contains("-X " + rules.serviceChain(web()), "-X " + rules.endpointChain(web(), new Endpoint("10.42.1.7", 80)))
                .contains("*filter\n:" + s + "SERVICES - [0:0]\n-A " + s + "SERVICES -m comment --comment \"default/web has no endpoints\"");
    }

    @Test
    void theStateKeepsOnlyThisProxysChainsAndHooks() {
        IptablesDataplane.State state = new IptablesDataplane.State();
        state.parse("nat", """
                *filter
                :BPROXY-000000-SERVICES - [0:0]
                COMMIT
                *nat
                :PREROUTING ACCEPT [0:0]
                :%1$sSERVICES - [0:0]
                :BPROXY-ffffff-SERVICES - [0:0]
                -A PREROUTING -m comment --comment "berth service portals" -j %1$sSERVICES
                -A PREROUTING -j BPROXY-ffffff-SERVICES
                -A %1$sSERVICES -j RETURN
                -A %1$sSERVICES -j RETURN
                COMMIT
                """.formatted(s), s);
        assertThat(state.chains.get("nat")).containsExactly(java.util.Map.entry(s + "SERVICES", 2));
        assertThat(state.hooks.get("nat")).containsOnlyKeys("PREROUTING " + s + "SERVICES");
    }
}
