package dev.berth.agent.network;

import dev.berth.agent.testing.Lab;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * NetworkPolicy end to end in a two-node {@link Lab}: a web pod on node 1; clients on node 0
 * (routed to it) and on node 1 (bridged to it), in its namespace and in another. A policy that
 * selects the web pod blocks everyone while its readiness probe (from the node itself) still
 * passes; policies then allow by pod label (on a named port) and by namespace label; an egress
 * policy with no rules stops a client from sending, and removing it lets it send again.
 */
class NetworkPolicyLabIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    static Lab lab;
    static String webIp;

    @BeforeAll
    static void start() throws Exception {
        lab = Lab.builder().nodes(2).agentArgs("--dns-upstream", "127.0.0.1:9").start();
        lab.admin().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("guests")
                .addToLabels("team", "guests").endMetadata().build()).create();
        lab.admin().pods().inNamespace("default").resource(new PodBuilder()
                .withNewMetadata().withName("web").addToLabels("app", "web").endMetadata()
                .withNewSpec().withNodeName(lab.node(1).name())
                .addNewContainer().withName("main").withImage(lab.image())
                .withCommand("sh", "-c", "mkdir -p /www && echo green > /www/index.html && exec httpd -f -p 8080 -h /www")
                .addNewPort().withName("http").withContainerPort(8080).endPort()
                .withNewReadinessProbe().withNewHttpGet().withPath("/index.html").withPort(new IntOrString("http"))
                .endHttpGet().withPeriodSeconds(1).withFailureThreshold(1).endReadinessProbe()
                .endContainer().withTerminationGracePeriodSeconds(1L).endSpec().build()).create();
        client("default", "client", "client", 0);
        client("default", "neighbour", "other", 1);
        client("guests", "guest", "other", 0);
        await().atMost(WAIT).until(() -> ready("default", "web") && ready("default", "client")
                && ready("default", "neighbour") && ready("guests", "guest"));
        webIp = pod("default", "web").getStatus().getPodIP();
    }

    private static void client(String ns, String name, String role, int node) {
        lab.admin().pods().inNamespace(ns).resource(new PodBuilder()
                .withNewMetadata().withName(name).addToLabels("role", role).endMetadata()
                .withNewSpec().withNodeName(lab.node(node).name())
                .addNewContainer().withName("main").withImage(lab.image()).withCommand("sleep", "3600").endContainer()
                .withTerminationGracePeriodSeconds(1L).endSpec().build()).create();
    }

    @AfterAll
    static void stop() {
        if (lab != null) lab.close();
    }

    private static Pod pod(String ns, String name) {
        return lab.admin().pods().inNamespace(ns).withName(name).get();
    }

    private static boolean ready(String ns, String name) {
        Pod p = pod(ns, name);
        return p != null && p.getStatus() != null && p.getStatus().getConditions() != null
                && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** Whether the pod gets the web page (REJECTed connections fail at once; 3 s bounds a dropped one). */
    private static boolean reaches(String ns, String name) throws Exception {
        int node = lab.node(0).containerId(ns, name, "main").isPresent() ? 0 : 1;
        var r = lab.node(node).execInPod(ns, name, "main", "timeout", "3", "wget", "-qO-", "http://" + webIp + ":8080/index.html");
        return r.exit() == 0 && r.output().contains("green");
    }

    private static void expect(boolean client, boolean neighbour, boolean guest) {
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            assertThat(reaches("default", "client")).as("client on node 0").isEqualTo(client);
            assertThat(reaches("default", "neighbour")).as("neighbour on node 1").isEqualTo(neighbour);
            assertThat(reaches("guests", "guest")).as("guest in namespace guests").isEqualTo(guest);
        });
    }

    private static void apply(NetworkPolicy np) {
        lab.admin().network().networkPolicies().inNamespace(np.getMetadata().getNamespace()).resource(np).serverSideApply();
    }

    private static NetworkPolicyBuilder policy(String ns, String name) {
        return new NetworkPolicyBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata();
    }

    @Test
    void aPolicyBlocksThenAllowsByLabelAndByNamespaceAndEgressCanBeDenied() {
        expect(true, true, true);

        apply(policy("default", "web-deny").withNewSpec().withNewPodSelector().addToMatchLabels("app", "web")
                .endPodSelector().withPolicyTypes("Ingress").endSpec().build());
        expect(false, false, false);
        // the readiness probe comes from the node itself: it still passes
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(20)).until(() -> ready("default", "web"));

        apply(policy("default", "web-from-clients").withNewSpec().withNewPodSelector().addToMatchLabels("app", "web")
                .endPodSelector().addNewIngress()
                .addNewFrom().withNewPodSelector().addToMatchLabels("role", "client").endPodSelector().endFrom()
                .addNewPort().withPort(new IntOrString("http")).endPort()
                .endIngress().endSpec().build());
        expect(true, false, false);

        apply(policy("default", "web-from-guests").withNewSpec().withNewPodSelector().addToMatchLabels("app", "web")
                .endPodSelector().addNewIngress()
                .addNewFrom().withNewNamespaceSelector().addToMatchLabels("team", "guests").endNamespaceSelector().endFrom()
                .endIngress().endSpec().build());
        expect(true, false, true);

        apply(policy("default", "client-no-egress").withNewSpec().withNewPodSelector().addToMatchLabels("role", "client")
                .endPodSelector().withPolicyTypes("Egress").endSpec().build());
        expect(false, false, true);

        lab.admin().network().networkPolicies().inNamespace("default").withName("client-no-egress").delete();
        expect(true, false, true);
        assertThat(ready("default", "web")).isTrue();
    }
}
