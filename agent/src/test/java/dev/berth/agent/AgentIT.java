package dev.berth.agent;

import dev.berth.agent.identity.NodeCredentials;
import dev.berth.core.server.BerthServer;
import dev.berth.core.server.ServerOptions;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The agent's composition against a real control plane, with test doubles for the parts others build. */
class AgentIT {
    @TempDir
    static Path dir;
    static BerthServer server;
    static KubernetesClient admin;

    static final Privileges.Host ROOT_WITH_DOCKER = new Privileges.Host() {
        @Override
        public long effectiveUid() {
            return 0;
        }

        @Override
        public Optional<String> dockerUnreachable(URI uri) {
            return Optional.empty();
        }

        @Override
        public Optional<Path> findExecutable(String name) {
            return Optional.of(Path.of("/usr/sbin", name));
        }
    };

    @BeforeAll
    static void start() throws Exception {
        server = new BerthServer(ServerOptions.defaults(dir.resolve("server")).withListen("127.0.0.1", 0),
                Clock.systemUTC()).start();
        admin = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(server.adminKubeconfig()))).build();
    }

    @AfterAll
    static void stop() {
        if (admin != null) admin.close();
        if (server != null) server.close();
    }

    private static Agent agent(String nodeName, TestParts parts) {
        return agent(nodeName, parts, 0);
    }

    private static Agent agent(String nodeName, AgentParts parts, int port) {
        Path kubeconfig = dir.resolve(nodeName + ".kubeconfig");
        NodeCredentials.issue(server.pki().ca(), "https://127.0.0.1:" + server.address().getPort(), nodeName,
                NodeCredentials.DEFAULT_VALIDITY).write(kubeconfig);
        AgentOptions options = AgentOptions.defaults(kubeconfig).withNodeName(nodeName)
                .withDataDir(dir.resolve(nodeName)).withPort(port).withNamePrefix("berth-test-")
                .withNodeIp(java.net.InetAddress.getLoopbackAddress());
        return Agent.fromKubeconfig(options, parts, ROOT_WITH_DOCKER, Clock.systemUTC());
    }

    private static Pod pod(String name, String nodeName) {
        return admin.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withNodeName(nodeName).addNewContainer().withName("c").withImage("busybox:1").endContainer()
                .endSpec().build()).create();
    }

    @Test
    void handsThePodsOfItsNodeToThePodWorkersAndFinishesTheirDeletion() {
        TestParts parts = new TestParts("n-dispatch");
        try (Agent agent = agent("n-dispatch", parts).start()) {
            Pod mine = pod("mine", "n-dispatch");
            pod("theirs", "n-other");
            await().until(() -> parts.workers.calls.contains("sync mine"));

            admin.pods().inNamespace("default").withName("mine").edit(p -> new PodBuilder(p).editMetadata()
                    .addToLabels("app", "web").endMetadata().build());
            await().until(() -> parts.workers.calls.stream().filter("sync mine"::equals).count() >= 2);

            // the status the workers give the sink reaches the API
            parts.statusSink.update(mine.getMetadata().getUid(), "default", "mine",
                    new PodStatusBuilder().withPhase("Running").withPodIP("10.42.0.9").build());
            await().untilAsserted(() -> assertThat(admin.pods().inNamespace("default").withName("mine").get()
                    .getStatus().getPodIP()).isEqualTo("10.42.0.9"));

            // a graceful delete: the workers stop the pod, then the agent deletes it with grace period 0
            admin.pods().inNamespace("default").withName("mine").withGracePeriod(30).delete();
            await().until(() -> parts.workers.calls.contains("sync mine deleting"));
            await().until(() -> admin.pods().inNamespace("default").withName("mine").get() == null);
            await().until(() -> parts.workers.calls.contains("terminate mine"));
            assertThat(parts.workers.calls).noneMatch(c -> c.contains("theirs"));
        }
        assertThat(parts.workers.calls).last().isEqualTo("close");
        assertThat(parts.runtime.calls).last().isEqualTo("close");
    }

    @Test
    void theGraceZeroDeleteLeavesANewPodOfTheSameNameAlone() {
        TestParts parts = new TestParts("n-replaced");
        try (Agent agent = agent("n-replaced", parts).start()) {
            Pod old = pod("same-name", "n-replaced");
            admin.pods().inNamespace("default").withName("same-name").withGracePeriod(0).delete();
            await().until(() -> admin.pods().inNamespace("default").withName("same-name").get() == null);
            Pod replacement = pod("same-name", "n-replaced");
            await().until(() -> parts.workers.uids.contains(replacement.getMetadata().getUid()));

            // a late report that the old pod's containers are gone must not delete its successor
            agent.finishDeletion(new PodBuilder(old).editMetadata().withDeletionTimestamp("2026-01-01T00:00:00Z")
                    .endMetadata().build());

            Pod current = admin.pods().inNamespace("default").withName("same-name").get();
            assertThat(current).isNotNull();
            assertThat(current.getMetadata().getUid()).isEqualTo(replacement.getMetadata().getUid());
            assertThat(current.getMetadata().getDeletionTimestamp()).isNull();
        }
    }

    @Test
    void removesContainersAndVolumesOfPodsNotBoundHereOnceThePodsAreListed() throws Exception {
        TestParts parts = new TestParts("n-orphans");
        Pod kept = pod("kept", "n-orphans");
        String keptUid = kept.getMetadata().getUid();
        parts.runtime.addContainer("kept-app", keptUid, "app");
        parts.runtime.addContainer("kept-sandbox", keptUid, "sandbox");
        parts.runtime.addContainer("orphan-sandbox", "gone-uid", "sandbox");
        parts.runtime.addContainer("orphan-app", "gone-uid", "app");
        parts.volumeDirs.add(keptUid);
        parts.volumeDirs.add("gone-uid");

        try (Agent agent = agent("n-orphans", parts).start()) {
            agent.orphansCleaned().get();

            assertThat(parts.runtime.containers).containsOnlyKeys("kept-app", "kept-sandbox");
            assertThat(parts.runtime.calls).containsSubsequence("stop orphan-app", "remove orphan-app",
                    "stop orphan-sandbox", "remove orphan-sandbox");
            assertThat(parts.tornDown).containsExactly("gone-uid");
        }
    }

    @Test
    void makesThePodNetworkFromThePodCidrAndServesWithAnApprovedCertificate() throws Exception {
        TestParts parts = new TestParts("n-network");
        try (Agent agent = agent("n-network", parts).start()) {
            // the node IPAM controller gives the Node a /24 of 10.42.0.0/16 once the controllers run (after leader election)
            await().atMost(Duration.ofSeconds(120)).until(() -> agent.podCidr().isPresent());
            String cidr = agent.podCidr().orElseThrow();
            assertThat(parts.runtime.calls).contains("ensureNetwork pods " + cidr + " " + Agent.gateway(cidr));

            agent.server().get(120, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(parts.served).hasSize(1);
            var certificate = parts.served.getFirst().certificate();
            assertThat(certificate.getSubjectX500Principal().getName()).contains("CN=system:node:n-network");
            assertThat(server.pki().ca().signed(certificate)).isTrue();
            assertThat(certificate.getSubjectAlternativeNames()).extracting(san -> (Object) san.get(1))
                    .containsExactlyInAnyOrder((Object) "n-network", "127.0.0.1");
            assertThat(dir.resolve("n-network/pki/kubelet-server.crt")).exists();
        }
    }

    @Test
    void withTheRealNodeReporterTheNodeIsRegisteredAndItsPodCidrBecomesThePodNetwork() throws Exception {
        TestParts parts = new TestParts("n-real-node") {
            @Override
            public NodePart node(Wiring w, dev.berth.agent.runtime.ContainerRuntime runtime,
                                 java.util.function.Consumer<String> podCidrChanged) {
                return new ProductionParts().node(w, runtime, podCidrChanged);
            }
        };
        try (Agent agent = agent("n-real-node", parts, 10250).start()) {
            await().atMost(Duration.ofSeconds(120)).until(() -> agent.podCidr().isPresent());
            var node = admin.nodes().withName("n-real-node").get();
            assertThat(node.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort()).isEqualTo(10250);
            assertThat(parts.runtime.calls).contains("ensureNetwork pods " + node.getSpec().getPodCIDR() + " "
                    + Agent.gateway(node.getSpec().getPodCIDR()));

            agent.server().get(120, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(parts.served.getFirst().certificate().getSubjectX500Principal().getName())
                    .contains("CN=system:node:n-real-node");
        }
    }
}
