package dev.berth.agent.network;

import dev.berth.agent.network.NetworkPolicyModel.Allow;
import dev.berth.agent.network.NetworkPolicyModel.Peer;
import dev.berth.agent.network.NetworkPolicyModel.PodPolicy;
import dev.berth.agent.network.NetworkPolicyModel.Port;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NetworkPolicyRulesTest {
    private final NetworkPolicyRules rules = new NetworkPolicyRules("berth-test-abc123-");
    private final String stem = rules.stem();
    private final PodPolicy web = new PodPolicy("default/web", "10.42.0.10", true, List.of(
            new Allow(new Peer("10.42.1.20/32", List.of()), new Port("TCP", 8080, 0)),
            new Allow(new Peer("192.168.0.0/16", List.of("192.168.5.0/24")), new Port("TCP", 9000, 9010)),
            new Allow(null, new Port("UDP", 0, 0))), true, List.of());

    @Test
    void chainNamesCarryTheAgentsHashAndFitIptablesLimit() {
        assertThat(stem).matches("BNP-[0-9a-f]{6}-");
        assertThat(new NetworkPolicyRules("berth-").stem()).isNotEqualTo(stem);
        assertThat(rules.chains(List.of(web)).keySet()).allSatisfy(c -> {
            assertThat(c).startsWith(stem);
            assertThat(c.length()).isLessThanOrEqualTo(28);
        });
    }

    @Test
    void isolatedPodsGetChainsAllowingWhatTheirPoliciesAllowAndRejectingTheRest() {
        String input = rules.restoreInput(List.of(web), "*filter\n:FORWARD DROP [0:0]\n-A FORWARD -j DOCKER-USER\nCOMMIT\n");
        String top = rules.topChain();
        assertThat(input).contains("-A " + top + " -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN\n");
        assertThat(input).containsPattern("-A " + top + " -s 10.42.0.10/32 .* -j " + stem + "E-[0-9a-f]{10}\n");
        assertThat(input).containsPattern("-A " + top + " -d 10.42.0.10/32 .* -j " + stem + "I-[0-9a-f]{10}\n");
        assertThat(input).containsPattern("-A " + stem + "I-\\w+ -s 10.42.1.20/32 -p tcp -m tcp --dport 8080 -j RETURN\n");
        assertThat(input).containsPattern("-A " + stem + "I-\\w+ -p tcp -m tcp --dport 9000:9010 -j " + stem + "X-\\w+\n");
        assertThat(input).containsPattern("-A " + stem + "X-\\w+ -s 192.168.5.0/24 -j RETURN\n");
        assertThat(input).containsPattern("-A " + stem + "X-\\w+ -s 192.168.0.0/16 -j MARK --set-xmark 0x20000/0x20000\n");
        assertThat(input).containsPattern("-A " + stem + "I-\\w+ -p udp -j RETURN\n");
        assertThat(input).containsPattern("-A " + stem + "E-\\w+ -j REJECT\n");
        assertThat(input).contains("-I FORWARD 1 -j " + top + "\n");
        // the ingress chain ends with REJECT, after its allows
        String ingress = input.lines().filter(l -> l.matches("-A " + stem + "I-\\w+ .*")).toList().getLast();
        assertThat(ingress).endsWith("-j REJECT");
    }

    @Test
    void applyingAgainKeepsTheHookAndStaleChainsAndHooksAreRemoved() {
        String top = rules.topChain();
        String save = "*filter\n:FORWARD DROP [0:0]\n:" + top + " - [0:0]\n:" + stem + "I-0123456789 - [0:0]\n"
                + "-A FORWARD -j " + top + "\n-A FORWARD -j DOCKER-USER\nCOMMIT\n";
        String again = rules.restoreInput(List.of(web), save);
        assertThat(again).doesNotContain("-I FORWARD").doesNotContain("-D FORWARD");
        assertThat(again).contains("-X " + stem + "I-0123456789\n");

        String misplaced = "*filter\n:FORWARD DROP [0:0]\n:" + top + " - [0:0]\n"
                + "-A FORWARD -j DOCKER-USER\n-A FORWARD -j " + top + "\nCOMMIT\n";
        assertThat(rules.restoreInput(List.of(web), misplaced))
                .as("a hook that is not first is moved to the top")
                .contains("-D FORWARD -j " + top + "\n").contains("-I FORWARD 1 -j " + top + "\n");

        String none = rules.restoreInput(List.of(), save);
        assertThat(none).contains("-D FORWARD -j " + top + "\n").contains("-X " + top + "\n")
                .doesNotContain("-I FORWARD");
    }
}
