package dev.berth.agent.proxy;

import dev.berth.agent.proxy.ProxyTable.Endpoint;
import dev.berth.agent.proxy.ProxyTable.HostPort;
import dev.berth.agent.proxy.ProxyTable.Protocol;
import dev.berth.agent.proxy.ProxyTable.ServicePort;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class IptablesRulesTest {
    private final IptablesRules rules = new IptablesRules("berth-", "10.42.0.0/16", "10.43.0.0/16");
    private final String s = rules.stem();

    private static ServicePort port(String name, int port, Protocol proto, int nodePort, int affinity, Endpoint... eps) {
        return new ServicePort("default", name, "http", proto, "10.43.0.5", port, nodePort, List.of(), affinity, List.of(eps),
                false);
    }

    private RuleSet render(ServicePort... ports) {
        return rules.render(new ProxyTable(List.of(ports), List.of()));
    }

    @Test
    void chainNamesCarryAStableHashOfThePrefixAndFitIptablesLimit() {
        assertThat(IptablesRules.stem("berth-")).isEqualTo(s).matches("BPROXY-[0-9a-f]{6}-");
        assertThat(IptablesRules.stem("berth-test-abc123-")).isNotEqualTo(s);
        ServicePort p = port("web", 80, Protocol.TCP, 30080, 0, new Endpoint("10.42.1.7", 8080));
        RuleSet set = render(p);
        assertThat(set.chains().values().stream().flatMap(m -> m.keySet().stream()))
                .allSatisfy(chain -> assertThat(chain).startsWith(s).hasSizeLessThanOrEqualTo(28));
        assertThat(rules.serviceChain(p)).isEqualTo(new IptablesRules("berth-", "10.42.0.0/16", "10.43.0.0/16").serviceChain(p));
        assertThat(rules.hostPortChain(new HostPort("default/a-very-long-pod-name-indeed", "192.0.2.1", 65535, Protocol.SCTP,
                "10.42.1.7", 65535))).hasSizeLessThanOrEqualTo(28);
    }

    @Test
    void aClusterIpSpreadsOverItsEndpointsWithKubeProxysProbabilities() {
        Endpoint a = new Endpoint("10.42.1.7", 8080), b = new Endpoint("10.42.1.8", 8080), c = new Endpoint("10.42.2.9", 8080);
        ServicePort p = port("web", 80, Protocol.TCP, 0, 0, a, b, c);
        RuleSet set = render(p);
        String svc = rules.serviceChain(p);
        assertThat(set.rules("nat", s + "SERVICES")).contains("-m comment --comment \"default/web:http cluster IP\""
                + " -d 10.43.0.5/32 -p tcp -m tcp --dport 80 -j " + svc);
        assertThat(set.rules("nat", svc)).containsExactly(
                "-m comment --comment \"default/web:http cluster IP\" ! -s 10.42.0.0/16 -d 10.43.0.5/32 -p tcp -m tcp --dport 80 -j "
                        + s + "MARK-MASQ",
                "-m comment --comment \"default/web:http -> 10.42.1.7:8080\" -m statistic --mode random --probability 0.3333333333 -j "
                        + rules.endpointChain(p, a),
                "-m comment --comment \"default/web:http -> 10.42.1.8:8080\" -m statistic --mode random --probability 0.5000000000 -j "
                        + rules.endpointChain(p, b),
                "-m comment --comment \"default/web:http -> 10.42.2.9:8080\" -j " + rules.endpointChain(p, c));
        assertThat(set.rules("nat", rules.endpointChain(p, b))).containsExactly(
                "-m comment --comment \"default/web:http\" -s 10.42.1.8/32 -j " + s + "MARK-MASQ",
                "-m comment --comment \"default/web:http\" -p tcp -m tcp -j DNAT --to-destination 10.42.1.8:8080");
        assertThat(set.rules("filter", s + "SERVICES")).isEmpty();
    }

    @Test
    void clientIpAffinityChecksRecentBeforeTheRandomChoiceAndSetsItOnDnat() {
        Endpoint a = new Endpoint("10.42.1.7", 53), b = new Endpoint("10.42.1.8", 53);
        ServicePort p = port("dns", 53, Protocol.UDP, 0, 600, a, b);
        RuleSet set = render(p);
        List<String> svc = set.rules("nat", rules.serviceChain(p));
        assertThat(svc.get(1)).endsWith("-m recent --name " + rules.endpointChain(p, a) + " --rcheck --seconds 600 --reap -j "
                + rules.endpointChain(p, a));
        assertThat(svc.get(2)).endsWith("-m recent --name " + rules.endpointChain(p, b) + " --rcheck --seconds 600 --reap -j "
                + rules.endpointChain(p, b));
        assertThat(svc.get(3)).contains("--probability 0.5000000000");
        assertThat(set.rules("nat", rules.endpointChain(p, a)).get(1)).isEqualTo("-m comment --comment \"default/dns:http\""
                + " -p udp -m recent --name " + rules.endpointChain(p, a) + " --set -m udp -j DNAT --to-destination 10.42.1.7:53");
    }

    @Test
    void aServiceWithoutEndpointsIsRejectedInFilterAndHasNoNatChain() {
        ServicePort p = port("web", 80, Protocol.TCP, 30080, 0);
        RuleSet set = render(p);
        assertThat(set.rules("filter", s + "SERVICES")).containsExactly(
                "-m comment --comment \"default/web:http has no endpoints\" -d 10.43.0.5/32 -p tcp -m tcp --dport 80"
                        + " -j REJECT --reject-with icmp-port-unreachable",
                "-m comment --comment \"default/web:http has no endpoints\" -m addrtype --dst-type LOCAL -p tcp -m tcp"
                        + " --dport 30080 -j REJECT --reject-with icmp-port-unreachable");
        assertThat(set.rules("nat", rules.serviceChain(p))).isNull();
        assertThat(set.rules("nat", s + "SERVICES")).noneMatch(r -> r.contains("10.43.0.5"));
        assertThat(set.rules("nat", s + "NODEPORTS")).isEmpty();
    }

    @Test
    void nodePortsAreMarkedForMasqueradeAndReachedOnlyForLocalNonLoopbackAddressesLast() {
        ServicePort p = port("web", 80, Protocol.TCP, 30080, 0, new Endpoint("10.42.1.7", 8080));
        RuleSet set = render(p);
        assertThat(set.rules("nat", s + "NODEPORTS")).containsExactly(
                "-m comment --comment \"default/web:http node port\" -p tcp -m tcp --dport 30080 -j " + s + "MARK-MASQ",
                "-m comment --comment \"default/web:http node port\" -p tcp -m tcp --dport 30080 -j " + rules.serviceChain(p));
        assertThat(set.rules("nat", s + "SERVICES").getLast()).endsWith(
                "! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j " + s + "NODEPORTS");
    }

    @Test
    void masqueradingIsByMarkAndClearsIt() {
        RuleSet set = render();
        assertThat(set.rules("nat", s + "MARK-MASQ")).containsExactly("-j MARK --or-mark 0x4000");
        assertThat(set.rules("nat", s + "POSTROUTING")).containsExactly(
                "-m mark ! --mark 0x4000/0x4000 -j RETURN",
                "-j MARK --xor-mark 0x4000",
                "-m comment --comment \"berth service traffic requiring SNAT\" -j MASQUERADE --random-fully");
        assertThat(set.rules("filter", s + "FORWARD")).containsExactly(
                "-m comment --comment \"berth forwarding rules for marked service traffic\" -m mark --mark 0x4000/0x4000 -j ACCEPT",
                "-m comment --comment \"berth cluster IP traffic\" -m conntrack --ctstate DNAT --ctorigdst 10.43.0.0/16 -j ACCEPT");
    }

    @Test
    void externalIpsAreMasqueradedAndLeadToTheServiceChain() {
        ServicePort p = new ServicePort("default", "web", "", Protocol.TCP, "10.43.0.5", 80, 0, List.of("192.0.2.10"), 0,
                List.of(new Endpoint("10.42.1.7", 80)), false);
        RuleSet set = render(p);
        assertThat(set.rules("nat", s + "SERVICES")).contains(
                "-m comment --comment \"default/web external IP\" -d 192.0.2.10/32 -p tcp -m tcp --dport 80 -j " + s + "MARK-MASQ",
                "-m comment --comment \"default/web external IP\" -d 192.0.2.10/32 -p tcp -m tcp --dport 80 -j "
                        + rules.serviceChain(p));
    }

    @Test
    void hostPortsDnatLocalAddressesToThePod() {
        HostPort any = new HostPort("default/web", "", 80, Protocol.TCP, "10.42.1.7", 8080);
        HostPort bound = new HostPort("default/dns", "192.0.2.1", 5353, Protocol.UDP, "10.42.1.8", 53);
        RuleSet set = rules.render(new ProxyTable(List.of(), List.of(any, bound)));
        assertThat(set.rules("nat", s + "HOSTPORTS")).containsExactly(
                "-m comment --comment \"default/web hostPort 80\" -p tcp -m tcp --dport 80 -j " + rules.hostPortChain(any),
                "-m comment --comment \"default/dns hostPort 5353\" -d 192.0.2.1/32 -p udp -m udp --dport 5353 -j "
                        + rules.hostPortChain(bound));
        assertThat(set.rules("nat", rules.hostPortChain(any))).containsExactly(
                "-m comment --comment \"default/web\" -s 10.42.1.7/32 -j " + s + "MARK-MASQ",
                "-m comment --comment \"default/web\" -p tcp -m tcp -j DNAT --to-destination 10.42.1.7:8080");
        List<String> services = set.rules("nat", s + "SERVICES");
        assertThat(services.get(services.size() - 2)).endsWith("! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j " + s + "HOSTPORTS");
    }

    @Test
    void oneHookPerBuiltInChainJumpsIntoTheProxysChains() {
        assertThat(render().hooks()).extracting(h -> h.table() + " " + h.builtin() + " -> " + h.target().substring(s.length()))
                .containsExactly("nat PREROUTING -> SERVICES", "nat OUTPUT -> SERVICES", "nat POSTROUTING -> POSTROUTING",
                        "filter INPUT -> SERVICES", "filter FORWARD -> SERVICES", "filter OUTPUT -> SERVICES",
                        "filter FORWARD -> FORWARD");
        assertThat(render().hooks()).filteredOn(h -> h.table().equals("filter") && h.target().endsWith("SERVICES"))
                .allMatch(h -> h.rule().startsWith("-m conntrack --ctstate NEW "));
    }

    @Test
    void probabilitiesAreTenDecimals() {
        assertThat(IptablesRules.probability(2)).isEqualTo("0.5000000000");
        assertThat(IptablesRules.probability(7)).isEqualTo("0.1428571429");
    }
}
