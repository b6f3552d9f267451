package dev.berth.agent.network;

import dev.berth.agent.AgentParts.ExtraCondition;
import dev.berth.core.controller.runtime.EventRecorder;
import io.fabric8.kubernetes.api.model.Node;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.berth.agent.network.HostGwRoutesTest.node;
import static org.assertj.core.api.Assertions.assertThat;

class PodRoutesReconcilerTest {
    /** A host with state: IP forwarding, the agent's routes, the iptables restores it was given. */
    static final class FakeHost implements PodRoutesReconciler.Shell {
        String ipForward = "1";
        final Map<String, String> routes = new TreeMap<>();
        final List<String> restores = new ArrayList<>();
        boolean restoreFails;

        @Override
        public HostCommand.Result run(List<String> argv, String stdin) {
            String cmd = String.join(" ", argv);
            return switch (cmd) {
                case "cat /proc/sys/net/ipv4/ip_forward" -> ok(ipForward + "\n");
                case "iptables-save -t filter" -> ok("*filter\n:FORWARD DROP [0:0]\n:DOCKER-USER - [0:0]\nCOMMIT\n");
                case "iptables-save -t nat" -> ok("*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n");
                case "iptables-restore --noflush" -> {
                    if (restoreFails) yield new HostCommand.Result(1, "", "iptables-restore: line 3 failed");
                    restores.add(stdin);
                    yield ok("");
                }
                case "ip -4 -o addr show" -> ok("2: eth0    inet 192.168.1.10/24 brd 192.168.1.255 scope global eth0\n");
                case "ip -4 route show proto 98" -> {
                    StringBuilder out = new StringBuilder();
                    routes.forEach((dst, via) -> out.append(dst).append(" via ").append(via).append(" dev eth0\n"));
                    yield ok(out.toString());
                }
                case "ip -force -batch -" -> {
                    for (String line : stdin.split("\n")) {
                        String[] w = line.split(" ");
                        if (w[1].equals("del")) routes.remove(w[2]);
                        else routes.put(w[2], w[4]);
                    }
                    yield ok("");
                }
                default -> new HostCommand.Result(127, "", "unexpected command " + cmd);
            };
        }

        private static HostCommand.Result ok(String out) {
            return new HostCommand.Result(0, out, "");
        }
    }

    record Recorded(String type, String reason, String message) {
    }

    final FakeHost host = new FakeHost();
    final List<Node> nodes = new CopyOnWriteArrayList<>(List.of(
            node("self", "10.42.0.0/24", "192.168.1.10"),
            node("b", "10.42.1.0/24", "192.168.1.11")));
    final List<Recorded> events = new CopyOnWriteArrayList<>();
    Set<String> tools = Set.of("iptables-save", "iptables-restore", "ip");

    PodRoutesReconciler reconciler() {
        EventRecorder recorder = (regarding, type, reason, message) -> {
            assertThat(regarding.getMetadata().getName()).isEqualTo("self");
            events.add(new Recorded(type, reason, message));
        };
        return new PodRoutesReconciler(
                new PodRoutesReconciler.Settings("self", "berth-", "10.42.0.0/16", "10.43.0.0/16", Duration.ofSeconds(10)),
                new PodNetwork("10.42.0.0/24", InetAddress.ofLiteral("10.42.0.1"), Optional.empty()),
                host, tool -> tools.contains(tool), () -> nodes,
                name -> nodes.stream().filter(n -> n.getMetadata().getName().equals(name)).findFirst().orElse(null),
                recorder);
    }

    @Test
    void installsRulesAndRoutesAndReportsTheNetworkAvailable() {
        PodRoutesReconciler r = reconciler();
        ExtraCondition c = r.sync();
        assertThat(c).isEqualTo(new ExtraCondition("NetworkUnavailable", false, "RouteCreated",
                "the pod network's rules and routes to the pods of 1 other node(s) are in place"));
        assertThat(r.conditions()).containsExactly(c);
        assertThat(host.routes).containsExactly(Map.entry("10.42.1.0/24", "192.168.1.11"));
        assertThat(host.restores).singleElement().asString().contains("-I DOCKER-USER 1 -j BERTH-PN-FWD-");
        assertThat(events).as("no event while nothing went wrong").isEmpty();
    }

    @Test
    void followsTheNodeListAddingAndRemovingRoutes() {
        PodRoutesReconciler r = reconciler();
        r.sync();
        nodes.add(node("c", "10.42.2.0/24", "192.168.1.12"));
        r.sync();
        assertThat(host.routes).containsOnlyKeys("10.42.1.0/24", "10.42.2.0/24");
        nodes.removeIf(n -> n.getMetadata().getName().equals("b"));
        nodes.removeIf(n -> n.getMetadata().getName().equals("c"));
        nodes.add(node("c", "10.42.2.0/24", "192.168.1.22"));
        r.sync();
        assertThat(host.routes).containsExactly(Map.entry("10.42.2.0/24", "192.168.1.22"));
    }

    @Test
    void ipForwardingOffIsReportedWithTheRemedyAndAnEventOnceAndClearsWhenOn() {
        PodRoutesReconciler r = reconciler();
        r.sync();
        host.ipForward = "0";
        ExtraCondition off = r.sync();
        r.sync();
        assertThat(off.status()).isTrue();
        assertThat(off.reason()).isEqualTo(PodRoutesReconciler.IP_FORWARDING_DISABLED);
        assertThat(off.message()).startsWith("IP forwarding is off: run sysctl -w net.ipv4.ip_forward=1");
        assertThat(events).containsExactly(new Recorded("Warning", PodRoutesReconciler.IP_FORWARDING_DISABLED, off.message()));

        host.ipForward = "1";
        ExtraCondition on = r.sync();
        assertThat(on.status()).isFalse();
        assertThat(on.reason()).isEqualTo("RouteCreated");
        assertThat(events).hasSize(2).last().isEqualTo(new Recorded("Normal", "RouteCreated", on.message()));
    }

    @Test
    void missingToolsAreNamedWithThePackageToInstall() {
        tools = Set.of("ip");
        ExtraCondition c = reconciler().sync();
        assertThat(c.status()).isTrue();
        assertThat(c.reason()).isEqualTo(PodRoutesReconciler.TOOLS_MISSING);
        assertThat(c.message()).contains("iptables-save, iptables-restore").contains("install the iptables package");
        assertThat(host.restores).isEmpty();
        assertThat(host.routes).as("routes still go in").containsOnlyKeys("10.42.1.0/24");

        tools = Set.of();
        ExtraCondition none = reconciler().sync();
        assertThat(none.message()).contains("install the iptables package").contains("install the iproute2 package");
    }

    @Test
    void aPeerOnAnotherSubnetNeedsARouterOrAnOverlay() {
        nodes.add(node("far", "10.42.5.0/24", "172.16.0.9"));
        ExtraCondition c = reconciler().sync();
        assertThat(c.status()).isTrue();
        assertThat(c.reason()).isEqualTo(PodRoutesReconciler.PEER_NOT_DIRECTLY_CONNECTED);
        assertThat(c.message()).contains("node far").contains("172.16.0.9").contains("router").contains("overlay");
        assertThat(host.routes).containsOnlyKeys("10.42.1.0/24");
    }

    @Test
    void rulesThatCannotBeProgrammedAreReportedWithTheError() {
        host.restoreFails = true;
        ExtraCondition c = reconciler().sync();
        assertThat(c.reason()).isEqualTo(PodRoutesReconciler.RULES_FAILED);
        assertThat(c.message()).contains("iptables-restore: line 3 failed");
    }

    @Test
    void aClosedReconcilerReportsNoCondition() {
        PodRoutesReconciler r = reconciler();
        r.sync();
        r.close();
        assertThat(r.conditions()).isEmpty();
    }
}
