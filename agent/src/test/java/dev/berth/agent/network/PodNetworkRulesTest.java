package dev.berth.agent.network;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PodNetworkRulesTest {
    private static final String CLUSTER = "10.42.0.0/16";
    private static final String SERVICES = "10.43.0.0/16";
    private final PodNetworkRules rules = new PodNetworkRules("berth-");

    private static final String DOCKER_FILTER = """
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            :DOCKER - [0:0]
            :DOCKER-ISOLATION-STAGE-1 - [0:0]
            :DOCKER-USER - [0:0]
            -A FORWARD -j DOCKER-USER
            -A FORWARD -j DOCKER-ISOLATION-STAGE-1
            -A DOCKER-USER -j RETURN
            COMMIT
            """;
    private static final String EMPTY_NAT = """
            *nat
            :PREROUTING ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
            COMMIT
            """;

    @Test
    void chainNamesCarryAHashOfTheNamePrefixAndFitIptablesLimit() {
        assertThat(rules.forwardChain()).matches("BERTH-PN-FWD-[0-9a-f]{8}");
        assertThat(rules.masqueradeChain()).matches("BERTH-PN-MASQ-[0-9a-f]{8}");
        assertThat(rules.masqueradeChain().length()).isLessThanOrEqualTo(PodNetworkRules.CHAIN_NAME_MAX);
        assertThat(new PodNetworkRules("berth-test-0a0b0c-").forwardChain()).isNotEqualTo(rules.forwardChain());
    }

    @Test
    void acceptsClusterTrafficFromDockerUserAndMasqueradesOnlyTrafficLeavingTheClusterAndServiceRanges() {
        String in = rules.restoreInput(CLUSTER, SERVICES, DOCKER_FILTER, EMPTY_NAT);
        String fwd = rules.forwardChain();
        String masq = rules.masqueradeChain();
        assertThat(in).contains("*filter\n:" + fwd + " - [0:0]\n"
                + "-A " + fwd + " -d 10.43.0.0/16 -j RETURN\n"
                + "-A " + fwd + " -s 10.42.0.0/16 -j ACCEPT\n"
                + "-A " + fwd + " -d 10.42.0.0/16 -j ACCEPT\n"
                + "-I DOCKER-USER 1 -j " + fwd + "\nCOMMIT\n");
        assertThat(in).contains("*nat\n:" + masq + " - [0:0]\n"
                + "-A " + masq + " -d 10.42.0.0/16 -j RETURN\n"
                + "-A " + masq + " -d 10.43.0.0/16 -j RETURN\n"
                + "-A " + masq + " -j MASQUERADE\n"
                + "-I POSTROUTING 1 -s 10.42.0.0/16 -j " + masq + "\nCOMMIT\n");
    }

    @Test
    void withoutDockerUserTheJumpGoesToTheTopOfForward() {
        String in = rules.restoreInput(CLUSTER, SERVICES, "*filter\n:FORWARD ACCEPT [0:0]\nCOMMIT\n", EMPTY_NAT);
        assertThat(in).contains("-I FORWARD 1 -j " + rules.forwardChain() + "\n").doesNotContain("DOCKER-USER");
    }

    @Test
    void appliedRulesAreNotAddedAgain() {
        String fwd = rules.forwardChain();
        String masq = rules.masqueradeChain();
        String filter = DOCKER_FILTER.replace("-A DOCKER-USER -j RETURN",
                "-A DOCKER-USER -j " + fwd + "\n-A DOCKER-USER -j RETURN\n:" + fwd + " - [0:0]\n-A " + fwd + " -s 10.42.0.0/16 -j ACCEPT");
        String nat = EMPTY_NAT.replace("COMMIT", ":" + masq + " - [0:0]\n-A POSTROUTING -s 10.42.0.0/16 -j " + masq + "\nCOMMIT");
        String in = rules.restoreInput(CLUSTER, SERVICES, filter, nat);
        assertThat(in).doesNotContain("-I ").doesNotContain("-D ").doesNotContain("-X ");
    }

    @Test
    void jumpsAndChainsNoLongerWantedAreRemovedButOthersRulesAreLeftAlone() {
        String fwd = rules.forwardChain();
        String masq = rules.masqueradeChain();
        String stale = "BERTH-PN-OLD-" + PodNetworkRules.hash("berth-");
        String otherAgents = new PodNetworkRules("other-").forwardChain();
        String filter = DOCKER_FILTER.replace("-A DOCKER-USER -j RETURN",
                "-A DOCKER-USER -j " + fwd + "\n-A DOCKER-USER -j " + fwd + "\n-A FORWARD -j " + fwd
                        + "\n-A DOCKER-USER -j " + otherAgents + "\n-A FORWARD -j " + stale + "\n:" + stale + " - [0:0]"
                        + "\n:" + otherAgents + " - [0:0]\n-A DOCKER-USER -j RETURN");
        // the cluster CIDR changed: the old jump into the masquerade chain goes, a new one comes
        String nat = EMPTY_NAT.replace("COMMIT", ":" + masq + " - [0:0]\n-A POSTROUTING -s 10.99.0.0/16 -j " + masq + "\nCOMMIT");
        String in = rules.restoreInput(CLUSTER, SERVICES, filter, nat);
        assertThat(in).containsOnlyOnce("-D DOCKER-USER -j " + fwd + "\n")
                .contains("-D FORWARD -j " + fwd + "\n")
                .contains("-D FORWARD -j " + stale + "\n:" + stale + " - [0:0]\n-X " + stale + "\n")
                .doesNotContain("-I DOCKER-USER")
                .doesNotContain(otherAgents)
                .contains("-D POSTROUTING -s 10.99.0.0/16 -j " + masq + "\n")
                .contains("-I POSTROUTING 1 -s 10.42.0.0/16 -j " + masq + "\n");
        assertThat(in.indexOf("-D FORWARD -j " + stale)).isLessThan(in.indexOf("-X " + stale));
    }

    @Test
    void removalDeletesEveryJumpAndChainOfThisAgentOnly() {
        String fwd = rules.forwardChain();
        String masq = rules.masqueradeChain();
        String filter = DOCKER_FILTER.replace("-A DOCKER-USER -j RETURN",
                "-A DOCKER-USER -j " + fwd + "\n:" + fwd + " - [0:0]\n-A " + fwd + " -s 10.42.0.0/16 -j ACCEPT\n-A DOCKER-USER -j RETURN");
        String nat = EMPTY_NAT.replace("COMMIT", ":" + masq + " - [0:0]\n-A POSTROUTING -s 10.42.0.0/16 -j " + masq + "\nCOMMIT");
        String in = rules.removalInput(filter, nat);
        assertThat(in).isEqualTo("*filter\n-D DOCKER-USER -j " + fwd + "\n:" + fwd + " - [0:0]\n-X " + fwd + "\nCOMMIT\n"
                + "*nat\n-D POSTROUTING -s 10.42.0.0/16 -j " + masq + "\n:" + masq + " - [0:0]\n-X " + masq + "\nCOMMIT\n");
    }

    @Test
    void aMissingRangeIsRefusedByName() {
        assertThatThrownBy(() -> rules.restoreInput(null, SERVICES, "", "")).hasMessageContaining("clusterCidr");
    }
}
