package dev.berth.agent.podworker;

import dev.berth.agent.runtime.ContainerSpec;
import dev.berth.agent.runtime.SandboxSpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RuntimeSpecsTest {
    static final PodWorkerSettings SETTINGS = new PodWorkerSettings("node-1", "192.168.1.10", "berth-pods", "10.43.0.10",
            "cluster.local", Path.of("/tmp/unused"), Map.of(), Duration.ofSeconds(10), Duration.ofSeconds(1));

    @Test
    void everyContainerGetsTheSupplementalGroupsThenTheFsGroup() {
        var psc = new io.fabric8.kubernetes.api.model.PodSecurityContextBuilder().withSupplementalGroups(3000L, 3001L)
                .withFsGroup(2000L).build();
        assertThat(RuntimeSpecs.supplementalGroups(psc)).containsExactly(3000L, 3001L, 2000L);
        assertThat(RuntimeSpecs.supplementalGroups(new io.fabric8.kubernetes.api.model.PodSecurityContextBuilder()
                .withSupplementalGroups(2000L).withFsGroup(2000L).build())).as("no group twice").containsExactly(2000L);
        assertThat(RuntimeSpecs.supplementalGroups(null)).isEmpty();
    }

    @Test
    void clusterFirstUsesClusterDnsWithKubeletSearchPath() {
        Pod pod = Fixture.pod("dns").editMetadata().withNamespace("shop").endMetadata().build();
        SandboxSpec s = RuntimeSpecs.sandbox(pod, SETTINGS);
        assertThat(s.dnsServers()).containsExactly("10.43.0.10");
        assertThat(s.dnsSearches()).containsExactly("shop.svc.cluster.local", "svc.cluster.local", "cluster.local");
        assertThat(s.dnsOptions()).containsExactly("ndots:5");
        assertThat(s.hostname()).isEqualTo("dns");
        assertThat(s.network()).isEqualTo("berth-pods");
    }

    @Test
    void hostNetworkFallsBackToDefaultUnlessClusterFirstWithHostNet() {
        Pod host = Fixture.pod("h").editSpec().withHostNetwork(true).endSpec().build();
        assertThat(RuntimeSpecs.sandbox(host, SETTINGS).dnsServers()).isEmpty();
        assertThat(RuntimeSpecs.sandbox(host, SETTINGS).hostNetwork()).isTrue();
        Pod withHostNet = Fixture.pod("h2").editSpec().withHostNetwork(true).withDnsPolicy("ClusterFirstWithHostNet")
                .endSpec().build();
        assertThat(RuntimeSpecs.sandbox(withHostNet, SETTINGS).dnsServers()).containsExactly("10.43.0.10");
        Pod dflt = Fixture.pod("d").editSpec().withDnsPolicy("Default").endSpec().build();
        assertThat(RuntimeSpecs.sandbox(dflt, SETTINGS).dnsSearches()).isEmpty();
    }

    @Test
    void dnsPolicyNoneTakesDnsConfigAndOptionsOverrideByName() {
        Pod none = Fixture.pod("n").editSpec().withDnsPolicy("None").withNewDnsConfig().withNameservers("1.1.1.1")
                .withSearches("lab.example").addNewOption().withName("ndots").withValue("2").endOption()
                .addNewOption().withName("edns0").endOption().endDnsConfig().endSpec().build();
        SandboxSpec s = RuntimeSpecs.sandbox(none, SETTINGS);
        assertThat(s.dnsServers()).containsExactly("1.1.1.1");
        assertThat(s.dnsSearches()).containsExactly("lab.example");
        assertThat(s.dnsOptions()).containsExactly("ndots:2", "edns0");
        Pod merged = Fixture.pod("m").editSpec().withNewDnsConfig().addNewOption().withName("ndots").withValue("1")
                .endOption().endDnsConfig().endSpec().build();
        assertThat(RuntimeSpecs.sandbox(merged, SETTINGS).dnsOptions()).containsExactly("ndots:1");
    }

    @Test
    void sandboxCarriesHostnameAliasesPortsNamespacesAndSysctls() {
        Pod pod = Fixture.pod("a-very-long-pod-name-that-goes-on-and-on-beyond-sixty-three-characters-x").editSpec()
                .withHostIPC(true).withHostPID(true)
                .addNewHostAlias().withIp("10.0.0.9").withHostnames("db", "db.lab").endHostAlias()
                .withNewSecurityContext().addNewSysctl("net.core.somaxconn", "1024").endSecurityContext()
                .addNewContainer().withName("app").addNewPort().withContainerPort(8080).withHostPort(30080).endPort()
                .addNewPort().withContainerPort(53).withProtocol("UDP").endPort().endContainer().endSpec().build();
        SandboxSpec s = RuntimeSpecs.sandbox(pod, SETTINGS);
        assertThat(s.hostname()).hasSizeLessThanOrEqualTo(63).doesNotEndWith("-");
        assertThat(s.extraHosts()).containsExactly("db:10.0.0.9", "db.lab:10.0.0.9");
        assertThat(s.ports()).containsExactly(new SandboxSpec.PortMapping("", 30080, 8080, "TCP"));
        assertThat(s.hostIpc()).isTrue();
        assertThat(s.hostPid()).isTrue();
        assertThat(s.sysctls()).containsEntry("net.core.somaxconn", "1024");
        Pod named = Fixture.pod("x").editSpec().withHostname("box").withSubdomain("sub").endSpec().build();
        assertThat(RuntimeSpecs.sandbox(named, SETTINGS).hostname()).isEqualTo("box");
    }

    @Test
    void resourcesBecomeMemoryLimitCpuQuotaAndSharesAsKubeletComputesThem() throws Exception {
        Pod pod = Fixture.pod("r").editSpec().addNewContainer().withName("app").withImage("i:1").withNewResources()
                .addToLimits("cpu", new Quantity("1500m")).addToLimits("memory", new Quantity("1Gi"))
                .addToRequests("cpu", new Quantity("100m")).endResources().endContainer()
                .addNewContainer().withName("tiny").withImage("i:1").withNewResources().addToLimits("cpu", new Quantity("1m"))
                .endResources().endContainer()
                .addNewContainer().withName("none").withImage("i:1").endContainer().endSpec().build();
        ContainerSpec app = spec(pod, 0);
        assertThat(app.memoryLimitBytes()).isEqualTo(1L << 30);
        assertThat(app.cpuQuotaMillis()).isEqualTo(1500);
        assertThat(app.cpuShares()).isEqualTo(102);
        ContainerSpec tiny = spec(pod, 1);
        assertThat(tiny.cpuShares()).isEqualTo(2);
        assertThat(tiny.cpuQuotaMillis()).isEqualTo(1);
        ContainerSpec none = spec(pod, 2);
        assertThat(none.cpuShares()).isEqualTo(2);
        assertThat(none.memoryLimitBytes()).isZero();
        assertThat(RuntimeSpecs.shares(1000)).isEqualTo(1024);
        assertThat(RuntimeSpecs.shares(10_000_000)).isEqualTo(262144);
    }

    @Test
    void securityContextOfContainerOverridesThePods() throws Exception {
        Pod pod = Fixture.pod("s").editSpec().withNewSecurityContext().withRunAsUser(1000L).withRunAsGroup(3000L)
                .endSecurityContext()
                .addNewContainer().withName("inherits").withImage("i:1").endContainer()
                .addNewContainer().withName("own").withImage("i:1").withNewSecurityContext().withRunAsUser(0L)
                .withPrivileged(true).withReadOnlyRootFilesystem(true).withNewCapabilities().withAdd("NET_ADMIN")
                .withDrop("CAP_ALL").endCapabilities().endSecurityContext().endContainer().endSpec().build();
        assertThat(spec(pod, 0).user()).isEqualTo("1000:3000");
        assertThat(spec(pod, 0).privileged()).isFalse();
        ContainerSpec own = spec(pod, 1);
        assertThat(own.user()).isEqualTo("0:3000");
        assertThat(own.privileged()).isTrue();
        assertThat(own.readOnlyRootfs()).isTrue();
        assertThat(own.capAdd()).containsExactly("NET_ADMIN");
        assertThat(own.capDrop()).containsExactly("ALL");
    }

    @Test
    void subPathExprExpandsAndEscapingSubPathsAreRefused() throws Exception {
        Pod pod = Fixture.pod("p").editSpec().addNewContainer().withName("app").withImage("i:1")
                .addNewVolumeMount().withName("data").withMountPath("/data").withSubPathExpr("$(POD)/logs").endVolumeMount()
                .addNewVolumeMount().withName("data").withMountPath("/shared").withMountPropagation("HostToContainer")
                .endVolumeMount().endContainer().endSpec().build();
        ContainerSpec spec = RuntimeSpecs.container(pod, pod.getSpec().getContainers().get(0), "app", 0, List.of(),
                Map.of("POD", "p"), Map.of("data", Path.of("/v/data")), Path.of("/t/log"), "h");
        assertThat(spec.mounts()).containsExactly(new ContainerSpec.Mount("/v/data/p/logs", "/data", false),
                new ContainerSpec.Mount("/v/data", "/shared", false, "rslave"),
                new ContainerSpec.Mount("/t/log", "/dev/termination-log", false));

        Pod bad = Fixture.pod("b").editSpec().addNewContainer().withName("app").withImage("i:1")
                .addNewVolumeMount().withName("data").withMountPath("/data").withSubPath("../../etc").endVolumeMount()
                .endContainer().endSpec().build();
        assertThatThrownBy(() -> RuntimeSpecs.container(bad, bad.getSpec().getContainers().get(0), "app", 0, List.of(),
                Map.of(), Map.of("data", Path.of("/v/data")), null, "h"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("subPath ../../etc must be a relative path without '..'");
        Pod missing = Fixture.pod("m").editSpec().addNewContainer().withName("app").withImage("i:1")
                .addNewVolumeMount().withName("nope").withMountPath("/x").endVolumeMount().endContainer().endSpec().build();
        assertThatThrownBy(() -> RuntimeSpecs.container(missing, missing.getSpec().getContainers().get(0), "app", 0,
                List.of(), Map.of(), Map.of(), null, "h"))
                .hasMessage("cannot find volume \"nope\" to mount into container \"app\"");
    }

    @Test
    void expansionFollowsKubernetesRules() {
        Map<String, String> vars = Map.of("A", "1", "B", "two");
        var map = ContainerEnv.mapping(vars);
        assertThat(ContainerEnv.expand("$(A)-$(B)", map)).isEqualTo("1-two");
        assertThat(ContainerEnv.expand("$$(A)", map)).isEqualTo("$(A)");
        assertThat(ContainerEnv.expand("$(C)", map)).isEqualTo("$(C)");
        assertThat(ContainerEnv.expand("$(A", map)).isEqualTo("$(A");
        assertThat(ContainerEnv.expand("cost $5 and $", map)).isEqualTo("cost $5 and $");
        assertThat(ContainerEnv.expand("$$$$", map)).isEqualTo("$$");
    }

    @Test
    void pullPolicyDefaultsAsKubernetesDoes() {
        Pod pod = Fixture.pod("p").editSpec().addNewContainer().withName("a").withImage("busybox").endContainer()
                .addNewContainer().withName("b").withImage("busybox:latest").endContainer()
                .addNewContainer().withName("c").withImage("localhost:5000/busybox:1.36").endContainer()
                .addNewContainer().withName("d").withImage("busybox@sha256:abc").endContainer().endSpec().build();
        assertThat(pod.getSpec().getContainers()).extracting(Images::pullPolicy)
                .containsExactly("Always", "Always", "IfNotPresent", "IfNotPresent");
        assertThat(Images.registryOf("localhost:5000/busybox:1.36")).isEqualTo("localhost:5000");
        assertThat(Images.registryOf("library/busybox")).isEqualTo("docker.io");
        var docker = new SecretBuilder().addToStringData(".dockerconfigjson",
                "{\"auths\":{\"https://index.docker.io/v1/\":{\"username\":\"u\",\"password\":\"p\"}}}").build();
        assertThat(Images.fromSecret(docker, "docker.io")).hasValueSatisfying(a -> assertThat(a.username()).isEqualTo("u"));
        assertThat(Images.fromSecret(docker, "registry.lab")).isEmpty();
    }

    @Test
    void qosClassFollowsRequestsAndLimits() {
        Pod guaranteed = Fixture.pod("g").editSpec().addNewContainer().withName("a").withNewResources()
                .addToLimits("cpu", new Quantity("1")).addToLimits("memory", new Quantity("1Gi")).endResources()
                .endContainer().endSpec().build();
        Pod burstable = Fixture.pod("b").editSpec().addNewContainer().withName("a").withNewResources()
                .addToRequests("memory", new Quantity("1Gi")).endResources().endContainer().endSpec().build();
        assertThat(PodStatuses.qosClass(guaranteed)).isEqualTo("Guaranteed");
        assertThat(PodStatuses.qosClass(burstable)).isEqualTo("Burstable");
        assertThat(PodStatuses.qosClass(Fixture.pod("e").editSpec().addNewContainer().withName("a").endContainer()
                .endSpec().build())).isEqualTo("BestEffort");
    }

    private static ContainerSpec spec(Pod pod, int index) throws ConfigException {
        return RuntimeSpecs.container(pod, pod.getSpec().getContainers().get(index), "app", 0, List.of(), Map.of(),
                Map.of(), null, "h");
    }
}
