package dev.berth.agent.node;

import dev.berth.agent.runtime.ImageInfo;
import dev.berth.agent.stats.FsUsage;
import dev.berth.agent.testing.InfoRuntime;
import dev.berth.core.apiserver.TestApiServer;
import dev.berth.core.controller.runtime.FakeClock;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class NodeStatusReporterIT {
    private static final long GI = 1024L * 1024 * 1024;
    private static final long MI = 1024L * 1024;
    private static final NodeReadings HEALTHY = new NodeReadings(6 * GI, 8 * GI, 50 * GI, 100 * GI, 50 * GI, 100 * GI,
            4_000_000, 4_194_304);
    private static final HostFacts FACTS = new HostFacts("3d1219c7c4c5404aaa1f6d2a48adfda4",
            "3d1219c7-c4c5-404a-aa1f-6d2a48adfda4", "0b5c2a53-8f6e-4a2e-9d0a-5a3c1f1e2d3c", "lab-host");

    private static final java.util.concurrent.atomic.AtomicInteger NODES = new java.util.concurrent.atomic.AtomicInteger();
    private static TestApiServer api;
    private static KubernetesClient client;

    @TempDir
    Path dir;
    String name;
    FakeClock clock;
    InfoRuntime runtime;
    AtomicReference<NodeReadings> readings;
    Path dataDir;
    NodeStatusReporter reporter;

    @BeforeAll
    static void startApiServer(@TempDir Path apiDir) throws Exception {
        api = new TestApiServer(apiDir);
        client = client(api.url());
    }

    @AfterAll
    static void stopApiServer() {
        client.close();
        api.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        name = "n" + NODES.incrementAndGet();
        clock = new FakeClock(Instant.parse("2026-12-02T06:00:00Z"));
        runtime = new InfoRuntime(name);
        readings = new AtomicReference<>(HEALTHY);
        dataDir = Files.createDirectories(dir.resolve("data"));
    }

    @AfterEach
    void tearDown() {
        if (reporter != null) {
            reporter.close();
        }
    }

    private static KubernetesClient client(String url) throws Exception {
        Config config = Config.fromKubeconfig(Files.readString(api.kubeconfig()));
        config.setMasterUrl(url);
        config.setRequestRetryBackoffLimit(0);
        config.setConnectionTimeout(2000);
        config.setRequestTimeout(5000);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private NodeStatusReporter reporter(KubernetesClient c, NodeStatusReporter.Options options) {
        return new NodeStatusReporter(c, runtime, name, "10.1.2.3", dataDir, 10250, Map.of("lab.berth.dev/rack", "r1"),
                FACTS, readings::get, clock, options);
    }

    private NodeStatusReporter reporter() {
        return reporter(client, NodeStatusReporter.Options.defaults());
    }

    private Node node() {
        return client.nodes().withName(name).get();
    }

    private static NodeCondition condition(Node n, String type) {
        return NodeConditions.find(n.getStatus(), type);
    }

    private static long bytes(Quantity q) {
        return q.getNumericalAmount().longValueExact();
    }

    @Test
    void registersTheNodeWithKubeletsLabelsCapacityAddressesInfoAndConditions() throws Exception {
        for (int i = 0; i < 60; i++) {
            runtime.images.add(new ImageInfo("sha256:" + i, List.of("lab/img" + i + ":1", "lab/img" + i + ":latest"),
                    (i + 1) * MI));
        }
        runtime.images.add(new ImageInfo("sha256:none", List.of(), 999 * GI));
        reporter = reporter();

        assertThat(reporter.sync()).isTrue();

        Node n = node();
        assertThat(n.getMetadata().getLabels()).containsEntry("kubernetes.io/hostname", name)
                .containsEntry("kubernetes.io/os", "linux").containsEntry("kubernetes.io/arch", "amd64")
                .containsEntry("beta.kubernetes.io/os", "linux").containsEntry("beta.kubernetes.io/arch", "amd64")
                .containsEntry("lab.berth.dev/rack", "r1");
        var cap = n.getStatus().getCapacity();
        long storage = FsUsage.of(dataDir).capacityBytes();
        assertThat(bytes(cap.get("cpu"))).isEqualTo(4);
        assertThat(bytes(cap.get("memory"))).isEqualTo(8 * GI);
        assertThat(cap.get("memory").toString()).isEqualTo("8388608Ki");
        assertThat(bytes(cap.get("pods"))).isEqualTo(110);
        assertThat(bytes(cap.get("ephemeral-storage"))).isEqualTo(storage);
        var alloc = n.getStatus().getAllocatable();
        assertThat(bytes(alloc.get("memory"))).isEqualTo(8 * GI - 100 * MI);
        assertThat(bytes(alloc.get("ephemeral-storage"))).isEqualTo(storage - (long) (storage * 0.1));
        assertThat(bytes(alloc.get("cpu"))).isEqualTo(4);
        assertThat(n.getStatus().getAddresses()).extracting(a -> a.getType() + "=" + a.getAddress())
                .containsExactly("InternalIP=10.1.2.3", "Hostname=lab-host");
        var info = n.getStatus().getNodeInfo();
        assertThat(info.getMachineID()).isEqualTo(FACTS.machineId());
        assertThat(info.getSystemUUID()).isEqualTo(FACTS.systemUuid());
        assertThat(info.getBootID()).isEqualTo(FACTS.bootId());
        assertThat(info.getContainerRuntimeVersion()).isEqualTo("docker://20.10.24");
        assertThat(info.getKubeletVersion()).startsWith("v1.32.0");
        assertThat(info.getKernelVersion()).isEqualTo("6.1.0-test");
        assertThat(info.getOsImage()).isEqualTo("Debian GNU/Linux 12 (bookworm)");
        assertThat(info.getOperatingSystem()).isEqualTo("linux");
        assertThat(info.getArchitecture()).isEqualTo("amd64");
        assertThat(n.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort()).isEqualTo(10250);
        var images = n.getStatus().getImages();
        assertThat(images).hasSize(50);
        assertThat(images.getFirst().getNames()).containsExactly("lab/img59:1", "lab/img59:latest");
        assertThat(images.getFirst().getSizeBytes()).isEqualTo(60 * MI);
        assertThat(images.getLast().getSizeBytes()).isEqualTo(11 * MI);
        assertThat(n.getStatus().getConditions()).extracting(c -> c.getType() + "/" + c.getStatus() + "/" + c.getReason() + "/" + c.getMessage())
                .containsExactly(
                        "MemoryPressure/False/KubeletHasSufficientMemory/kubelet has sufficient memory available",
                        "DiskPressure/False/KubeletHasNoDiskPressure/kubelet has no disk pressure",
                        "PIDPressure/False/KubeletHasSufficientPID/kubelet has sufficient PID available",
                        "Ready/True/KubeletReady/kubelet is posting ready status");
        assertThat(condition(n, "Ready").getLastHeartbeatTime()).isEqualTo("2026-12-02T06:00:00Z");

        Lease lease = client.leases().inNamespace("kube-node-lease").withName(name).get();
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(name);
        assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(40);
        assertThat(lease.getSpec().getRenewTime().toInstant()).isEqualTo(clock.instant());
        assertThat(lease.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("Node");
            assertThat(o.getName()).isEqualTo(name);
            assertThat(o.getUid()).isEqualTo(n.getMetadata().getUid());
        });
    }

    @Test
    void kubectlShowsTheNodeReadyWithItsCapacityAndLease() throws Exception {
        reporter = reporter();
        reporter.sync();
        var kubectl = new dev.berth.core.testing.Kubectl(api.kubeconfig(), Files.createDirectories(dir.resolve("home")));

        String wide = kubectl.run("get", "node", name, "-o", "wide").ok().out();
        assertThat(wide).contains("Ready").contains("10.1.2.3").contains("Debian GNU/Linux 12 (bookworm)")
                .contains("6.1.0-test").contains("docker://20.10.24");
        String describe = kubectl.run("describe", "node", name).ok().out();
        assertThat(describe).contains("KubeletReady", "kubelet is posting ready status")
                .containsPattern("memory:\\s+8Gi").containsPattern("memory:\\s+8092Mi").containsPattern("pods:\\s+110")
                .contains("HolderIdentity:  " + name);
    }

    @Test
    void keepsTheSpecOfAnExistingNodeAddsItsLabelsAndReportsPodCidrChanges() {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).addToLabels("team", "a").endMetadata()
                .withNewSpec().withPodCIDR("10.42.3.0/24").withUnschedulable(true).endSpec().build()).create();
        List<String> cidrs = new CopyOnWriteArrayList<>();
        reporter = reporter();
        reporter.onPodCidr(cidrs::add);

        reporter.sync();

        Node n = node();
        assertThat(n.getSpec().getPodCIDR()).isEqualTo("10.42.3.0/24");
        assertThat(n.getSpec().getUnschedulable()).isTrue();
        assertThat(n.getMetadata().getLabels()).containsEntry("team", "a").containsEntry("kubernetes.io/hostname", name);
        assertThat(condition(n, "Ready").getStatus()).isEqualTo("True");
        assertThat(cidrs).containsExactly("10.42.3.0/24");

        client.nodes().withName(name).edit(x -> new NodeBuilder(x).editSpec().withPodCIDR("10.42.7.0/24").endSpec().build());
        clock.advance(Duration.ofSeconds(10));
        reporter.sync();
        clock.advance(Duration.ofSeconds(10));
        reporter.sync();

        assertThat(cidrs).containsExactly("10.42.3.0/24", "10.42.7.0/24");
    }

    @Test
    void looksForThePodCidrEveryTickUntilTheNodeHasOne() {
        List<String> cidrs = new CopyOnWriteArrayList<>();
        reporter = reporter();
        reporter.onPodCidr(cidrs::add);
        reporter.sync();
        assertThat(cidrs).isEmpty();

        client.nodes().withName(name).edit(x -> new NodeBuilder(x).editSpec().withPodCIDR("10.42.9.0/24").endSpec().build());
        clock.advance(Duration.ofSeconds(1)); // long before the next status update
        reporter.sync();

        assertThat(cidrs).containsExactly("10.42.9.0/24");
    }

    @Test
    void pressureConditionsFlipWithTheSignalsAndClearAfterTheTransitionPeriod() {
        reporter = reporter(client, NodeStatusReporter.Options.defaults().withThresholds(
                new EvictionThresholds(100 * MI, 10, 15, 1000, Duration.ofMinutes(5))));
        reporter.sync();
        String readySince = condition(node(), "Ready").getLastTransitionTime();

        readings.set(new NodeReadings(50 * MI, 8 * GI, 9 * GI, 100 * GI, 50 * GI, 100 * GI, 999, 4_194_304));
        clock.advance(Duration.ofSeconds(10));
        reporter.sync();

        Node n = node();
        assertThat(condition(n, "MemoryPressure")).satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getReason()).isEqualTo("KubeletHasInsufficientMemory");
            assertThat(c.getMessage()).isEqualTo("kubelet has insufficient memory available");
            assertThat(c.getLastTransitionTime()).isEqualTo("2026-12-02T06:00:10Z");
        });
        assertThat(condition(n, "DiskPressure").getReason()).isEqualTo("KubeletHasDiskPressure");
        assertThat(condition(n, "DiskPressure").getMessage()).isEqualTo("kubelet has disk pressure");
        assertThat(condition(n, "PIDPressure").getReason()).isEqualTo("KubeletHasInsufficientPID");
        assertThat(condition(n, "PIDPressure").getMessage()).isEqualTo("kubelet has insufficient PID available");
        assertThat(condition(n, "Ready").getLastTransitionTime()).isEqualTo(readySince);

        // imagefs alone under its 15% also counts as disk pressure
        readings.set(new NodeReadings(6 * GI, 8 * GI, 50 * GI, 100 * GI, 14 * GI, 100 * GI, 4_000_000, 4_194_304));
        clock.advance(Duration.ofMinutes(5));
        reporter.sync();
        n = node();
        assertThat(condition(n, "DiskPressure").getStatus()).isEqualTo("True");
        assertThat(condition(n, "DiskPressure").getLastTransitionTime()).isEqualTo("2026-12-02T06:00:10Z");
        assertThat(condition(n, "MemoryPressure").getStatus()).isEqualTo("False");
        assertThat(condition(n, "MemoryPressure").getLastTransitionTime()).isEqualTo("2026-12-02T06:05:10Z");

        readings.set(HEALTHY);
        clock.advance(Duration.ofMinutes(4));
        reporter.sync();
        assertThat(condition(node(), "DiskPressure").getStatus()).as("within the transition period").isEqualTo("True");
        clock.advance(Duration.ofMinutes(1));
        reporter.sync();
        assertThat(condition(node(), "DiskPressure").getStatus()).isEqualTo("False");
        assertThat(condition(node(), "DiskPressure").getReason()).isEqualTo("KubeletHasNoDiskPressure");
    }

    @Test
    void readyTurnsFalseWhileTheContainerRuntimeIsDown() {
        reporter = reporter();
        reporter.sync();
        runtime.down = true;
        clock.advance(Duration.ofSeconds(10));
        reporter.sync();

        NodeCondition ready = condition(node(), "Ready");
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("KubeletNotReady");
        assertThat(ready.getMessage()).isEqualTo("container runtime is down");
        assertThat(node().getStatus().getCapacity()).containsKey("cpu");

        runtime.down = false;
        clock.advance(Duration.ofSeconds(10));
        reporter.sync();
        assertThat(condition(node(), "Ready").getReason()).isEqualTo("KubeletReady");
    }

    @Test
    void writesStatusOnlyWhenSomethingChangedOrFiveMinutesPassed() {
        reporter = reporter();
        reporter.sync();
        String rv = node().getMetadata().getResourceVersion();

        for (int i = 0; i < 29; i++) {
            clock.advance(Duration.ofSeconds(10));
            reporter.sync();
        }
        assertThat(node().getMetadata().getResourceVersion()).as("nothing changed in 4m50s").isEqualTo(rv);
        assertThat(condition(node(), "Ready").getLastHeartbeatTime()).isEqualTo("2026-12-02T06:00:00Z");

        clock.advance(Duration.ofSeconds(10));
        reporter.sync();
        assertThat(condition(node(), "Ready").getLastHeartbeatTime()).isEqualTo("2026-12-02T06:05:00Z");

        runtime.images.add(new ImageInfo("sha256:new", List.of("lab/new:1"), 5 * MI));
        clock.advance(Duration.ofSeconds(10));
        reporter.sync();
        assertThat(node().getStatus().getImages()).extracting(i -> i.getNames().getFirst()).containsExactly("lab/new:1");
        assertThat(condition(node(), "Ready").getLastHeartbeatTime()).isEqualTo("2026-12-02T06:05:10Z");
    }

    @Test
    void renewsTheLeaseEveryTenSecondsOfTheClock() {
        reporter = reporter();
        reporter.sync();
        Instant first = clock.instant();

        clock.advance(Duration.ofSeconds(9));
        reporter.sync();
        assertThat(lease().getSpec().getRenewTime().toInstant()).isEqualTo(first);

        clock.advance(Duration.ofSeconds(1));
        reporter.sync();
        assertThat(lease().getSpec().getRenewTime().toInstant()).isEqualTo(first.plusSeconds(10));

        client.leases().inNamespace("kube-node-lease").withName(name).delete();
        await().until(() -> lease() == null);
        clock.advance(Duration.ofSeconds(10));
        reporter.sync();
        assertThat(lease().getSpec().getRenewTime().toInstant()).as("recreated").isEqualTo(first.plusSeconds(20));
    }

    private Lease lease() {
        return client.leases().inNamespace("kube-node-lease").withName(name).get();
    }

    @Test
    void keepsTryingWhileTheApiServerIsUnreachableAndResendsOnceItIsBack() throws Exception {
        try (TcpGate gate = new TcpGate(api.port());
             KubernetesClient gated = client("https://127.0.0.1:" + gate.port())) {
            reporter = reporter(gated, NodeStatusReporter.Options.defaults());
            assertThat(reporter.sync()).isTrue();
            gate.shut();
            readings.set(new NodeReadings(10 * MI, 8 * GI, 50 * GI, 100 * GI, 50 * GI, 100 * GI, 4_000_000, 4_194_304));
            clock.advance(Duration.ofSeconds(10));
            assertThat(reporter.sync()).isFalse();
            clock.advance(Duration.ofSeconds(10));
            assertThat(reporter.sync()).isFalse();
            assertThat(condition(node(), "MemoryPressure").getStatus()).isEqualTo("False");

            gate.open();
            clock.advance(Duration.ofSeconds(1));
            assertThat(reporter.sync()).isTrue();

            assertThat(condition(node(), "MemoryPressure").getStatus()).isEqualTo("True");
            assertThat(condition(node(), "MemoryPressure").getLastHeartbeatTime()).isEqualTo("2026-12-02T06:00:21Z");
            assertThat(lease().getSpec().getRenewTime().toInstant()).isEqualTo(clock.instant());
        }
    }

    @Test
    void theLoopRegistersAndRenewsOnItsOwn() {
        reporter = reporter(client, NodeStatusReporter.Options.defaults().withTick(Duration.ofMillis(50)));
        reporter.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> lease() != null && node() != null);
        clock.advance(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> lease().getSpec().getRenewTime().toInstant().equals(clock.instant()));
    }
}
