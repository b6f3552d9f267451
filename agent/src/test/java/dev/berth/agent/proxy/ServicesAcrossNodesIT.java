package dev.berth.agent.proxy;

import dev.berth.agent.testing.Lab;
import dev.berth.agent.testing.TestDocker;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
 * Services across the nodes of a {@link Lab}, end to end: a pod on one node reaches a Service whose
 * endpoints run on the other node by its cluster IP and by its DNS name (the node-local cluster DNS
 * behind the cluster DNS address), a pod failing its readiness probe gets no traffic, and a
 * NodePort answers on every node's address from outside the cluster.
 */
class ServicesAcrossNodesIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    static Lab lab;

    @BeforeAll
    static void start() throws Exception {
        // a dead upstream inside each node: no name ever leaves the lab for the machine's resolvers
        lab = Lab.builder().nodes(2).agentArgs("--dns-upstream", "127.0.0.1:9").start();
        // two web pods on node 1: one ready, one whose readiness never passes; a client on node 0
        webPod("web-ready", "green", "/www/index.html");
        webPod("web-unready", "red", "/www/never-there");
        lab.admin().pods().inNamespace("default").resource(new PodBuilder()
                .withNewMetadata().withName("client").endMetadata()
                .withNewSpec().withNodeName(lab.node(0).name())
                .addNewContainer().withName("main").withImage(lab.image()).withCommand("sleep", "3600").endContainer()
                .withTerminationGracePeriodSeconds(1L).endSpec().build()).create();
        lab.admin().services().inNamespace("default").resource(new ServiceBuilder()
                .withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withType("NodePort").addToSelector("app", "web")
                .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString("http")).endPort()
                .endSpec().build()).create();
        await().atMost(WAIT).until(() -> ready("web-ready") && running("web-unready") && running("client"));
    }

    private static void webPod(String name, String body, String readinessFile) {
        lab.admin().pods().inNamespace("default").resource(new PodBuilder()
                .withNewMetadata().withName(name).addToLabels("app", "web").endMetadata()
                .withNewSpec().withNodeName(lab.node(1).name())
                .addNewContainer().withName("main").withImage(lab.image())
                .withCommand("sh", "-c", "mkdir -p /www && echo " + body + " > /www/index.html && exec httpd -f -p 8080 -h /www")
                .addNewPort().withName("http").withContainerPort(8080).endPort()
                .withNewReadinessProbe().withNewExec().withCommand("cat", readinessFile).endExec()
                .withPeriodSeconds(1).endReadinessProbe()
                .endContainer().withTerminationGracePeriodSeconds(1L).endSpec().build()).create();
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

    private static Service web() {
        return lab.admin().services().inNamespace("default").withName("web").get();
    }

    private static TestDocker.Result fromClient(String... argv) throws Exception {
        return lab.node(0).execInPod("default", "client", "main", argv);
    }

    @Test
    void aPodReachesAServiceOnAnotherNodeByClusterIpAndByName() {
        String clusterIp = web().getSpec().getClusterIP();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            TestDocker.Result byIp = fromClient("timeout", "10", "wget", "-qO-", "http://" + clusterIp + "/index.html");
            assertThat(byIp.output()).as("by cluster IP " + clusterIp).contains("green");
        });
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            TestDocker.Result byName = fromClient("timeout", "10", "wget", "-qO-", "http://web/index.html");
            assertThat(byName.output()).as("by the short name, through the pod's search path").contains("green");
            TestDocker.Result full = fromClient("timeout", "10", "wget", "-qO-",
                    "http://web.default.svc.cluster.local/index.html");
            assertThat(full.output()).contains("green");
        });
    }

    @Test
    void aPodFailingItsReadinessProbeGetsNoTraffic() throws Exception {
        String clusterIp = web().getSpec().getClusterIP();
        Set<String> answers = new HashSet<>();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(
                fromClient("timeout", "10", "wget", "-qO-", "http://" + clusterIp + "/index.html").output()).contains("green"));
        for (int i = 0; i < 20; i++) {
            answers.add(fromClient("timeout", "10", "wget", "-qO-", "http://" + clusterIp + "/index.html").output().trim());
        }
        assertThat(answers).as("20 requests, all to the ready pod").containsExactly("green");
    }

    @Test
    void aNodePortAnswersOnEveryNodeFromOutsideTheCluster() {
        int nodePort = web().getSpec().getPorts().getFirst().getNodePort();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (Lab.LabNode node : lab.nodes()) {
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                                URI.create("http://" + node.ip() + ":" + nodePort + "/index.html"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).as("node " + node.name() + " port " + nodePort).contains("green");
            });
        }
    }
}
