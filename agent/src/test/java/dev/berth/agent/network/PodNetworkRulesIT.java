package dev.berth.agent.network;

import dev.berth.agent.testing.TestDocker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assumptions;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rules and routes for real, with iptables-restore and ip in a network namespace of the
 * test's own (never the machine's): applied twice they are the same, a changed range replaces the
 * old jump, a vanished Node's route goes, and removal leaves nothing of this agent's.
 */
class PodNetworkRulesIT {
    private String netns;
    private HostCommand host;

    @BeforeEach
    void makeNamespace() {
        for (String tool : List.of("ip", "nsenter", "iptables-restore", "iptables-save")) {
            if (!HostCommand.available(tool)) {
                if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new AssertionError(tool + " is missing (required when CI=true)");
                Assumptions.abort(tool + " is missing");
            }
        }
        netns = TestDocker.runPrefix() + "rules";
        HostCommand.local().check(List.of("ip", "netns", "add", netns), null);
        host = new HostCommand("/var/run/netns/" + netns, Duration.ofSeconds(30));
        host.check(List.of("ip", "link", "set", "lo", "up"), null);
        host.check(List.of("ip", "link", "add", "lab0", "type", "veth", "peer", "name", "lab1"), null);
        host.check(List.of("ip", "addr", "add", "192.168.77.10/24", "dev", "lab0"), null);
        host.check(List.of("ip", "link", "set", "lab1", "up"), null);
        host.check(List.of("ip", "link", "set", "lab0", "up"), null);
        // as Docker leaves a host: FORWARD policy DROP and a DOCKER-USER chain
        host.check(List.of("iptables", "-P", "FORWARD", "DROP"), null);
        host.check(List.of("iptables", "-N", "DOCKER-USER"), null);
        host.check(List.of("iptables", "-A", "DOCKER-USER", "-j", "RETURN"), null);
        host.check(List.of("iptables", "-A", "FORWARD", "-j", "DOCKER-USER"), null);
    }

    @AfterEach
    void removeNamespace() {
        if (netns != null) HostCommand.local().run(List.of("ip", "netns", "del", netns), null);
    }

    private String save() {
        return host.check(List.of("iptables-save"), null).lines().filter(l -> !l.startsWith("#")).reduce("", (a, b) -> a + b + "\n");
    }

    private PodRoutesReconciler reconciler(String clusterCidr, List<io.fabric8.kubernetes.api.model.Node> nodes) {
        return new PodRoutesReconciler(
                new PodRoutesReconciler.Settings("self", "berth-test-", clusterCidr, "10.43.0.0/16", Duration.ofSeconds(10)),
                new PodNetwork("10.42.0.0/24", InetAddress.ofLiteral("10.42.0.1"), Optional.empty()),
                host::run, HostCommand::available, () -> nodes, name -> null, (regarding, type, reason, message) -> { });
    }

    @Test
    void rulesAndRoutesAreAppliedOnceKeptInStepAndRemoved() {
        PodNetworkRules rules = new PodNetworkRules("berth-test-");
        var nodes = new java.util.concurrent.CopyOnWriteArrayList<>(List.of(
                HostGwRoutesTest.node("b", "10.42.1.0/24", "192.168.77.11"),
                HostGwRoutesTest.node("c", "10.42.2.0/24", "192.168.77.12")));
        PodRoutesReconciler r = reconciler("10.42.0.0/16", nodes);
        assertThat(r.sync().reason()).isIn("RouteCreated", PodRoutesReconciler.IP_FORWARDING_DISABLED);
        String once = save();
        assertThat(once).contains("-A DOCKER-USER -j " + rules.forwardChain() + "\n-A DOCKER-USER -j RETURN")
                .contains("-A " + rules.forwardChain() + " -s 10.42.0.0/16 -j ACCEPT")
                .contains("-A POSTROUTING -s 10.42.0.0/16 -j " + rules.masqueradeChain())
                .contains("-A " + rules.masqueradeChain() + " -d 10.43.0.0/16 -j RETURN");
        r.sync();
        assertThat(save()).as("applying again changes nothing").isEqualTo(once);
        String routes = host.check(List.of("ip", "-4", "route", "show", "proto", "98"), null);
        assertThat(routes).contains("10.42.1.0/24 via 192.168.77.11").contains("10.42.2.0/24 via 192.168.77.12");

        // somebody flushed DOCKER-USER; a node went; the cluster range changed
        host.check(List.of("iptables", "-F", "DOCKER-USER"), null);
        nodes.removeIf(n -> n.getMetadata().getName().equals("c"));
        PodRoutesReconciler moved = reconciler("10.40.0.0/14", nodes);
        moved.sync();
        String after = save();
        assertThat(after).contains("-A DOCKER-USER -j " + rules.forwardChain())
                .contains("-A POSTROUTING -s 10.40.0.0/14 -j " + rules.masqueradeChain())
                .doesNotContain("10.42.0.0/16");
        assertThat(host.check(List.of("ip", "-4", "route", "show", "proto", "98"), null))
                .contains("10.42.1.0/24 via 192.168.77.11").doesNotContain("10.42.2.0/24");

        PodRoutesReconciler.removeRules(host::run, "berth-test-");
        PodRoutesReconciler.removeRoutes(host::run);
        assertThat(save()).as("only the agent's rules go").doesNotContain("BERTH-PN-").contains("-A FORWARD -j DOCKER-USER");
        assertThat(host.check(List.of("ip", "-4", "route", "show", "proto", "98"), null)).isBlank();
        assertThat(host.check(List.of("ip", "-4", "route", "show"), null)).contains("192.168.77.0/24 dev lab0");
    }

    @Test
    void ipForwardingIsReadInTheAgentsOwnNamespace() {
        host.check(List.of("sysctl", "-w", "net.ipv4.ip_forward=0"), null);
        assertThat(reconciler("10.42.0.0/16", List.of()).sync().reason()).isEqualTo(PodRoutesReconciler.IP_FORWARDING_DISABLED);
        host.check(List.of("sysctl", "-w", "net.ipv4.ip_forward=1"), null);
        assertThat(reconciler("10.42.0.0/16", List.of()).sync().reason()).isEqualTo(PodRoutesReconciler.ROUTE_CREATED);
    }
}
