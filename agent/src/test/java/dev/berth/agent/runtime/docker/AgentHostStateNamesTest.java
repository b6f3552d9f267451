package dev.berth.agent.runtime.docker;

import dev.berth.agent.network.HostGwRoutes;
import dev.berth.agent.network.NetworkPolicyRules;
import dev.berth.agent.network.PodNetworkRules;
import dev.berth.agent.proxy.IptablesRules;
import dev.berth.agent.proxy.ServiceAddresses;
import dev.berth.agent.runtime.RuntimeLabels;
import dev.berth.core.provision.NodeInstaller;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code berth node remove} finds what the agent made in the host's network by name (core cannot
 * see the agent's classes): these are the names the agent uses, so a rename here fails until the
 * installer follows.
 */
class AgentHostStateNamesTest {
    @Test
    void everyChainTheAgentMakesStartsWithAPrefixThatRemoveDeletes() {
        assertThat(NodeInstaller.AGENT_CHAIN_PREFIXES).contains(PodNetworkRules.CHAIN_PREFIX, NetworkPolicyRules.CHAIN_PREFIX);
        assertThat(IptablesRules.stem("berth-")).startsWith("BPROXY-");
        assertThat(NodeInstaller.AGENT_CHAIN_PREFIXES).anySatisfy(p -> assertThat(IptablesRules.stem("lab-")).startsWith(p));
    }

    @Test
    void theAgentsRoutesAndInterfacesAreTheOnesRemoveDeletes() {
        assertThat(NodeInstaller.AGENT_ROUTE_PROTOCOL).isEqualTo(HostGwRoutes.PROTOCOL);
        assertThat(DockerRuntime.bridgeName("berth-pods")).matches(NodeInstaller.AGENT_INTERFACES);
        assertThat(ServiceAddresses.interfaceName("berth-")).matches(NodeInstaller.AGENT_INTERFACES);
        assertThat(RuntimeLabels.NODE).isEqualTo("berth.dev/node");
    }
}
