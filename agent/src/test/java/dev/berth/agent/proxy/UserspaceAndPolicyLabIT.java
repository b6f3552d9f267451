package dev.berth.agent.proxy;

import dev.berth.agent.testing.Lab;
import dev.berth.agent.testing.TestDocker;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One two-node {@link Lab} whose agents run {@code --proxy-mode userspace} (one lab, to keep the
 * time tests take down), for two features that do not touch each other's pods:
 * <ul>
 *   <li>{@link UserspaceProxy}, in namespace default: the agent holds the cluster IPs on an
 *       interface of its own and relays. A pod on node 0 reaches Services whose endpoints are on
 *       node 1 by cluster IP, ClientIP affinity keeps it on one pod, a Service without endpoints
 *       refuses at once, endpoint changes are followed, a NodePort answers from outside.</li>
 *   <li>{@link NetworkPolicies}, in namespaces np and guests: a web pod on node 1; clients on
 *       node 0 (routed to it) and on node 1 (bridged to it), in its namespace and in another. A
 *       policy selecting the web pod blocks everyone while its readiness probe (from the node
 *       itself) still passes; policies then allow by pod label (on a named port) and by namespace
 *       label; an egress policy with no rules stops a client from sending, and removing it lets
 *       it send again.</li>
 * </ul>
 */
class UserspaceAndPolicyLabIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    static Lab lab;
    static String webIp;

    @BeforeAll
    static void start() throws Exception {
        lab = Lab.builder().nodes(2).agentArgs("--proxy-mode", "userspace", "--dns-upstream", "127.0.0.1:9").start();
        webPod("web-a", "alpha");
        webPod("web-b", "bravo");
        lab.admin().pods().inNamespace("default").resource(new PodBuilder()
                .withNewMetadata().withName("client").endMetadata()
                .withNewSpec().withNodeName(lab.node(0).name())
                .addNewContainer().withName("main").withImage(lab.image()).withCommand("sleep", "3600").endContainer()
                .withTerminationGracePeriodSeconds(1L).endSpec().build()).create();
        service("web", "web", "NodePort", null);
        service("sticky", "web", "ClusterIP", "ClientIP");
        service("nobody", "nobody-has-this", "ClusterIP", null);
        service("later", "later", "ClusterIP", null);
        lab.admin().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("np").endMetadata().build())
                .create();
        lab.admin().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("guests")
                .addToLabels("team", "guests").endMetadata().build()).create();
        lab.admin().pods().inNamespace("np").resource(new PodBuilder()
                .withNewMetadata().withName("web").addToLabels("app", "web").endMetadata()
                .withNewSpec().withNodeName(lab.node(1).name())
                .addNewContainer().withName("main").withImage(lab.image())
                .withCommand("sh", "-c", "mkdir -p /www && echo green > /www/index.html && exec httpd -f -p 8080 -h /www")
                .addNewPort().withName("http").withContainerPort(8080).endPort()
                .withNewReadinessProbe().withNewHttpGet().withPath("/index.html").withPort(new IntOrString("http"))
                .endHttpGet().withPeriodSeconds(1).withFailureThreshold(1).endReadinessProbe()
                .endContainer().withTerminationGracePeriodSeconds(1L).endSpec().build()).create();
        client("np", "client", "client", 0);
        client("np", "neighbour", "other", 1);
        client("guests", "guest", "other", 0);
        await().atMost(WAIT).until(() -> nsReady("np", "web") && nsReady("np", "client")
                && nsReady("np", "neighbour") && nsReady("guests", "guest"));
        await().atMost(WAIT).until(() -> ready("web-a") && ready("web-b") && running("client"));
        webIp = nsPod("np", "web").getStatus().getPodIP();
    }

    private static void webPod(String name, String body) {
        lab.admin().pods().inNamespace("default").resource(new PodBuilder()
                .withNewMetadata().withName(name).addToLabels("app", "web").endMetadata()
                .withNewSpec().withNodeName(lab.node(1).name())
                .addNewContainer().withName("main").withImage(lab.image())
                .withCommand("sh", "-c", "mkdir -p /www && echo " + body + " > /www/index.html && exec httpd -f -p 8080 -h /www")
                .addNewPort().withName("http").withContainerPort(8080).endPort()
                .withNewReadinessProbe().withNewTcpSocket().withPort(new IntOrString(8080)).endTcpSocket()
                .withPeriodSeconds(1).endReadinessProbe()
                .endContainer().withTerminationGracePeriodSeconds(1L).endSpec().build()).create();
    }

    private static void service(String name, String app, String type, String affinity) {
        lab.admin().services().inNamespace("default").resource(new ServiceBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withType(type).addToSelector("app", app).withSessionAffinity(affinity)
                .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString("http")).endPort()
                .endSpec().build()).create();
    }

    @AfterAll
    static void stop() {
        if (lab != null) lab.close();
    }

    private static Pod pod(String name) {
        return lab.admin().pods().inNamespace("default").withName(name).get();
    }

    private static boolean running(String name) {
        Pod p = pod(name);
        return p != null && p.getStatus() != null && "Running".equals(p.getStatus().getPhase());
    }

    private static boolean ready(String name) {
        Pod p = pod(name);
        return running(name) && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static String clusterIp(String service) {
        Service s = lab.admin().services().inNamespace("default").withName(service).get();
        return s.getSpec().getClusterIP();
    }

    private static TestDocker.Result get(String ip) throws Exception {
        return lab.node(0).execInPod("default", "client", "main", "timeout", "10", "wget", "-qO-",
                "http://" + ip + "/index.html");
    }

    private static Set<String> answers(String ip, int n) throws Exception {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < n; i++) seen.add(get(ip).output().trim());
        return seen;
    }

    static void client(String ns, String name, String role, int node) {
        lab.admin().pods().inNamespace(ns).resource(new PodBuilder()
                .withNewMetadata().withName(name).addToLabels("role", role).endMetadata()
                .withNewSpec().withNodeName(lab.node(node).name())
                .addNewContainer().withName("main").withImage(lab.image()).withCommand("sleep", "3600").endContainer()
                .withTerminationGracePeriodSeconds(1L).endSpec().build()).create();
    }

    @Nested
    class UserspaceProxy {
        @Test
        void theNodeSaysItsProxyModeIsUserspace() {
            await().atMost(WAIT).untilAsserted(() -> assertThat(lab.node(0).get().getMetadata().getAnnotations())
                    .containsEntry(ServiceProxy.MODE_ANNOTATION, UserspaceDataplane.MODE));
            assertThat(lab.node(0).run("ip", "-o", "-4", "addr", "show", "dev",
                    ServiceAddresses.interfaceName(lab.prefix())).stdout()).contains(clusterIp("web") + "/32");
        }

        @Test
        void aPodReachesAServiceOnAnotherNodeByClusterIpSpreadOverItsEndpoints() {
            String ip = clusterIp("web");
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() ->
                    assertThat(answers(ip, 8)).containsExactlyInAnyOrder("alpha", "bravo"));
        }

        @Test
        void clientIpAffinityKeepsThePodOnOneEndpoint() {
            String ip = clusterIp("sticky");
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(get(ip).output()).containsAnyOf("alpha", "bravo"));
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(answers(ip, 8)).hasSize(1));
        }

        @Test
        void aServiceWithoutEndpointsRefusesAtOnce() {
            String ip = clusterIp("nobody");
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                TestDocker.Result r = get(ip);
                // refused by a reset, not left to time out (timeout would end wget with 143)
                assertThat(r.exit()).isNotZero().isNotEqualTo(143);
                assertThat(lab.node(0).run("ip", "-o", "-4", "addr", "show", "dev",
                        ServiceAddresses.interfaceName(lab.prefix())).stdout()).contains(ip + "/32");
            });
        }

        @Test
        void aNodePortAnswersOnEveryNodeFromOutsideAndEndpointChangesAreFollowed() throws Exception {
            int nodePort = lab.admin().services().inNamespace("default").withName("web").get()
                    .getSpec().getPorts().getFirst().getNodePort();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            for (Lab.LabNode node : lab.nodes()) {
                await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                                    URI.create("http://" + node.ip() + ":" + nodePort + "/index.html"))
                            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(r.body()).as("node " + node.name() + " port " + nodePort).containsAnyOf("alpha", "bravo");
                });
            }
            // "later" has no endpoints until a pod with its selector starts: then its endpoint is used
            String ip = clusterIp("later");
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(get(ip).exit()).isNotZero().isNotEqualTo(143));
            lab.admin().pods().inNamespace("default").resource(new PodBuilder()
                    .withNewMetadata().withName("late").addToLabels("app", "later").endMetadata()
                    .withNewSpec().withNodeName(lab.node(1).name())
                    .addNewContainer().withName("main").withImage(lab.image())
                    .withCommand("sh", "-c", "mkdir -p /www && echo late > /www/index.html && exec httpd -f -p 8080 -h /www")
                    .addNewPort().withName("http").withContainerPort(8080).endPort()
                    .endContainer().withTerminationGracePeriodSeconds(1L).endSpec().build()).create();
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(get(ip).output()).contains("late"));
        }
    }

    private static Pod nsPod(String ns, String name) {
        return lab.admin().pods().inNamespace(ns).withName(name).get();
    }

    private static boolean nsReady(String ns, String name) {
        Pod p = nsPod(ns, name);
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
            assertThat(reaches("np", "client")).as("client on node 0").isEqualTo(client);
            assertThat(reaches("np", "neighbour")).as("neighbour on node 1").isEqualTo(neighbour);
            assertThat(reaches("guests", "guest")).as("guest in namespace guests").isEqualTo(guest);
        });
    }

    private static void apply(NetworkPolicy np) {
        lab.admin().network().networkPolicies().inNamespace(np.getMetadata().getNamespace()).resource(np).serverSideApply();
    }

    private static NetworkPolicyBuilder policy(String ns, String name) {
        return new NetworkPolicyBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata();
    }

    @Nested
    class NetworkPolicies {
        @Test
        void aPolicyBlocksThenAllowsByLabelAndByNamespaceAndEgressCanBeDenied() {
            expect(true, true, true);

            apply(policy("np", "web-deny").withNewSpec().withNewPodSelector().addToMatchLabels("app", "web")
                    .endPodSelector().withPolicyTypes("Ingress").endSpec().build());
            expect(false, false, false);
            // the readiness probe comes from the node itself: it still passes
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(20)).until(() -> nsReady("np", "web"));

            apply(policy("np", "web-from-clients").withNewSpec().withNewPodSelector().addToMatchLabels("app", "web")
                    .endPodSelector().addNewIngress()
                    .addNewFrom().withNewPodSelector().addToMatchLabels("role", "client").endPodSelector().endFrom()
                    .addNewPort().withPort(new IntOrString("http")).endPort()
                    .endIngress().endSpec().build());
            expect(true, false, false);

            apply(policy("np", "web-from-guests").withNewSpec().withNewPodSelector().addToMatchLabels("app", "web")
                    .endPodSelector().addNewIngress()
                    .addNewFrom().withNewNamespaceSelector().addToMatchLabels("team", "guests").endNamespaceSelector().endFrom()
                    .endIngress().endSpec().build());
            expect(true, false, true);

            apply(policy("np", "client-no-egress").withNewSpec().withNewPodSelector().addToMatchLabels("role", "client")
                    .endPodSelector().withPolicyTypes("Egress").endSpec().build());
            expect(false, false, true);

            lab.admin().network().networkPolicies().inNamespace("np").withName("client-no-egress").delete();
            expect(true, false, true);
            assertThat(nsReady("np", "web")).isTrue();
        }
    }
}
