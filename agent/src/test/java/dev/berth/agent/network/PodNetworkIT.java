package dev.berth.agent.network;

import dev.berth.agent.testing.Lab;
import dev.berth.agent.testing.TestDocker;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The pod network across two nodes of a {@link Lab}: pods reach each other by pod IP through the
 * host-gw routes and the forwarding rules, traffic leaving the cluster range is masqueraded to the
 * node's address, and NetworkUnavailable says what to fix when IP forwarding is off.
 */
class PodNetworkIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    static Lab lab;

    @BeforeAll
    static void start() throws Exception {
        lab = Lab.builder().nodes(2).start();
        for (int i = 0; i < 2; i++) {
            Lab.LabNode node = lab.node(i);
            lab.admin().pods().inNamespace("default").resource(new PodBuilder()
                    .withNewMetadata().withName("web-" + i).endMetadata()
                    .withNewSpec().withNodeName(node.name())
                    .addNewContainer().withName("main").withImage(lab.image())
                    .withCommand("sh", "-c", "mkdir -p /www && echo hello from " + node.name()
                            + " > /www/index.html && exec httpd -f -p 8080 -h /www")
                    .withNewReadinessProbe().withNewTcpSocket().withPort(new IntOrString(8080)).endTcpSocket()
                    .withPeriodSeconds(1).endReadinessProbe()
                    .endContainer().withTerminationGracePeriodSeconds(1L).endSpec().build()).create();
        }
        await().atMost(WAIT).until(() -> ready("web-0") && ready("web-1"));
    }

    @AfterAll
    static void stop() {
        if (lab != null) lab.close();
    }

    private static Pod pod(String name) {
        return lab.admin().pods().inNamespace("default").withName(name).get();
    }

    private static boolean ready(String name) {
        Pod p = pod(name);
        return p != null && p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static Optional<NodeCondition> networkUnavailable(Lab.LabNode node) {
        Node n = node.get();
        if (n == null || n.getStatus() == null || n.getStatus().getConditions() == null) return Optional.empty();
        return n.getStatus().getConditions().stream().filter(c -> "NetworkUnavailable".equals(c.getType())).findFirst();
    }

    @Test
    void podsOnDifferentNodesReachEachOtherByPodIpBothWays() throws Exception {
        String ip0 = pod("web-0").getStatus().getPodIP();
        String ip1 = pod("web-1").getStatus().getPodIP();
        assertThat(lab.node(0).get().getSpec().getPodCIDR()).isNotEqualTo(lab.node(1).get().getSpec().getPodCIDR());

        // routes come from the Node cache, so they may follow the pods' readiness by a moment
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            TestDocker.Result there = lab.node(0).execInPod("default", "web-0", "main", "timeout", "10", "wget", "-qO-",
                    "http://" + ip1 + ":8080/index.html");
            assertThat(there.output()).as("node 1's pod, from node 0's pod").contains("hello from " + lab.node(1).name());
            TestDocker.Result back = lab.node(1).execInPod("default", "web-1", "main", "timeout", "10", "wget", "-qO-",
                    "http://" + ip0 + ":8080/index.html");
            assertThat(back.output()).as("node 0's pod, from node 1's pod").contains("hello from " + lab.node(0).name());
        });

        HostCommand.Result routes = lab.node(0).run("ip", "-4", "route", "show", "proto",
                Integer.toString(HostGwRoutes.PROTOCOL));
        assertThat(routes.stdout()).as("the agent's own route to node 1's pods")
                .contains(lab.node(1).get().getSpec().getPodCIDR() + " via " + lab.node(1).ip());
        await().atMost(WAIT).untilAsserted(() -> assertThat(networkUnavailable(lab.node(0))).hasValueSatisfying(c -> {
            assertThat(c.getStatus()).isEqualTo("False");
            assertThat(c.getReason()).isEqualTo("RouteCreated");
        }));
    }

    @Test
    void trafficLeavingTheClusterRangeIsMasqueradedToTheNodeAddress() throws Exception {
        try (ServerSocket outside = new ServerSocket()) {
            outside.bind(new InetSocketAddress(InetAddress.ofLiteral(lab.hostAddress()), 0));
            CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> {
                try (Socket s = outside.accept()) {
                    String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
                    return s.getInetAddress().getHostAddress() + " " + line;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            TestDocker.Result sent = lab.node(0).execInPod("default", "web-0", "main", "sh", "-c",
                    "echo from-pod | nc -w 3 " + lab.hostAddress() + " " + outside.getLocalPort());
            assertThat(sent.exit()).as(sent.output()).isZero();
            assertThat(seen.get(30, TimeUnit.SECONDS)).as("the outside host sees the node's address, not the pod's")
                    .isEqualTo(lab.node(0).ip() + " from-pod");
        }
    }

    @Test
    void networkUnavailableSaysToTurnIpForwardingOnAndClearsWhenItIs() {
        Lab.LabNode node = lab.node(1);
        node.ipForward(false);
        try {
            await().atMost(WAIT).untilAsserted(() -> assertThat(networkUnavailable(node)).hasValueSatisfying(c -> {
                assertThat(c.getStatus()).isEqualTo("True");
                assertThat(c.getReason()).isEqualTo(PodRoutesReconciler.IP_FORWARDING_DISABLED);
                assertThat(c.getMessage()).contains("run sysctl -w net.ipv4.ip_forward=1");
            }));
            await().atMost(WAIT).untilAsserted(() -> assertThat(nodeEvents(node)).anySatisfy(e -> {
                assertThat(e.getType()).isEqualTo("Warning");
                assertThat(e.getReason()).isEqualTo(PodRoutesReconciler.IP_FORWARDING_DISABLED);
                assertThat(e.getMessage()).contains("sysctl -w net.ipv4.ip_forward=1");
            }));
        } finally {
            node.ipForward(true);
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(networkUnavailable(node)).hasValueSatisfying(c -> {
            assertThat(c.getStatus()).isEqualTo("False");
            assertThat(c.getReason()).isEqualTo("RouteCreated");
        }));
        await().atMost(WAIT).untilAsserted(() -> assertThat(nodeEvents(node)).anySatisfy(e -> {
            assertThat(e.getType()).isEqualTo("Normal");
            assertThat(e.getReason()).isEqualTo("RouteCreated");
        }));
    }

    private static List<Event> nodeEvents(Lab.LabNode node) {
        return lab.admin().v1().events().inAnyNamespace().list().getItems().stream()
                .filter(e -> e.getInvolvedObject() != null && "Node".equals(e.getInvolvedObject().getKind())
                        && node.name().equals(e.getInvolvedObject().getName()))
                .toList();
    }
}
