package dev.berth.agent.podworker;

import dev.berth.agent.runtime.ContainerSpec;
import dev.berth.agent.runtime.RegistryAuth;
import dev.berth.core.apiserver.TestApiServer;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

import static dev.berth.agent.podworker.Fixture.container;
import static dev.berth.agent.podworker.Fixture.running;
import static dev.berth.agent.podworker.Fixture.waitingReason;
import static org.assertj.core.api.Assertions.assertThat;

/** Environment, envFrom and imagePullSecrets read from a real API server. */
class ContainerEnvTest {
    @TempDir
    static Path serverDir;
    static TestApiServer server;
    static KubernetesClient client;

    @TempDir
    Path dir;
    Fixture f;

    @BeforeAll
    static void startServer() throws Exception {
        server = new TestApiServer(serverDir);
        client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(server.kubeconfig()))).build();
        if (client.namespaces().withName("default").get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("default").endMetadata().build())
                    .create();
        }
    }

    @AfterAll
    static void stopServer() {
        client.close();
        server.close();
    }

    @BeforeEach
    void setUp() {
        f = new Fixture(dir, client);
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    /** What kubelet gives every pod: the variables of the default namespace's kubernetes Service. */
    static java.util.List<String> kubernetesEnv() {
        var svc = client.services().inNamespace("default").withName("kubernetes").get();
        String ip = svc.getSpec().getClusterIP();
        int port = svc.getSpec().getPorts().get(0).getPort();
        return java.util.List.of("KUBERNETES_SERVICE_HOST=" + ip, "KUBERNETES_SERVICE_PORT=" + port,
                "KUBERNETES_SERVICE_PORT_HTTPS=" + port, "KUBERNETES_PORT=tcp://" + ip + ":" + port,
                "KUBERNETES_PORT_" + port + "_TCP=tcp://" + ip + ":" + port, "KUBERNETES_PORT_" + port + "_TCP_PROTO=tcp",
                "KUBERNETES_PORT_" + port + "_TCP_PORT=" + port, "KUBERNETES_PORT_" + port + "_TCP_ADDR=" + ip);
    }

    static java.util.List<String> plus(java.util.List<String> a, java.util.List<String> b) {
        java.util.List<String> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private ContainerSpec spec(Pod pod, String name) {
        return f.runtime.spec(f.current(pod, name).id()).orElseThrow();
    }

    @Test
    void missingConfigMapIsCreateContainerConfigErrorUntilItExists() {
        Pod pod = Fixture.pod("needs-config").editSpec().addNewContainer().withName("app").withImage(Fixture.IMAGE)
                .addNewEnvFrom().withNewConfigMapRef().withName("settings").endConfigMapRef().endEnvFrom()
                .addNewEnvFrom().withPrefix("P_").withNewConfigMapRef().withName("settings").endConfigMapRef().endEnvFrom()
                .endContainer().endSpec().build();
        f.workers.sync(pod);
        PodStatus s = f.awaitStatus(pod, st -> "CreateContainerConfigError".equals(waitingReason(container(st, "app"))));
        assertThat(container(s, "app").getState().getWaiting().getMessage()).isEqualTo("configmap \"settings\" not found");
        assertThat(f.recorded.messages("Failed")).contains("Error: configmap \"settings\" not found");
        assertThat(s.getPhase()).isEqualTo("Pending");

        client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("settings")
                .endMetadata().addToData("mode", "fast").addToData("1st", "x").build()).create();
        f.awaitStatus(pod, st -> running(st, "app"));
        assertThat(spec(pod, "app").env()).containsExactlyElementsOf(plus(java.util.List.of("mode=fast", "P_1st=x", "P_mode=fast"),
                kubernetesEnv()));
        assertThat(f.recorded.messages("InvalidEnvironmentVariableNames")).isNotEmpty();
    }

    @Test
    void missingKeyOfSecretNamesTheKeyAndOptionalSourcesAreSkipped() {
        client.secrets().inNamespace("default").resource(new SecretBuilder().withNewMetadata().withName("creds")
                .endMetadata().addToData("user", b64("admin")).build()).create();
        Pod pod = Fixture.pod("needs-key").editSpec().addNewContainer().withName("app").withImage(Fixture.IMAGE)
                .addNewEnv().withName("USER").withNewValueFrom().withNewSecretKeyRef().withName("creds").withKey("user")
                .endSecretKeyRef().endValueFrom().endEnv()
                .addNewEnv().withName("MAYBE").withNewValueFrom().withNewConfigMapKeyRef().withName("nothing").withKey("k")
                .withOptional(true).endConfigMapKeyRef().endValueFrom().endEnv()
                .addNewEnv().withName("PASS").withNewValueFrom().withNewSecretKeyRef().withName("creds").withKey("password")
                .endSecretKeyRef().endValueFrom().endEnv()
                .endContainer().endSpec().build();
        f.workers.sync(pod);
        PodStatus s = f.awaitStatus(pod, st -> "CreateContainerConfigError".equals(waitingReason(container(st, "app"))));
        assertThat(container(s, "app").getState().getWaiting().getMessage())
                .isEqualTo("couldn't find key password in Secret default/creds");

        client.secrets().inNamespace("default").withName("creds").edit(sec -> new SecretBuilder(sec)
                .addToData("password", b64("s3cret")).build());
        f.awaitStatus(pod, st -> running(st, "app"));
        assertThat(spec(pod, "app").env()).containsExactlyElementsOf(plus(java.util.List.of("USER=admin", "PASS=s3cret"),
                kubernetesEnv()));
    }

    @Test
    void valuesExpandEarlierVariablesAndFieldsAndResourcesResolve() {
        Pod pod = Fixture.pod("fields").editMetadata().addToLabels("tier", "web").addToAnnotations("owner", "ops")
                .endMetadata().editSpec().addNewContainer().withName("app").withImage(Fixture.IMAGE)
                .withCommand("run", "--name=$(POD_NAME)", "$$(POD_NAME)", "$(UNDEFINED)")
                .withNewResources().addToRequests("cpu", new Quantity("250m")).addToLimits("memory", new Quantity("64Mi"))
                .endResources()
                .addNewEnv().withName("POD_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name")
                .endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("GREETING").withValue("hello $(POD_NAME) in $(NS) costs $$5").endEnv()
                .addNewEnv().withName("NS").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.namespace")
                .endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("TIER").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.labels['tier']")
                .endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("OWNER").withNewValueFrom().withNewFieldRef()
                .withFieldPath("metadata.annotations['owner']").endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("POD_IP").withNewValueFrom().withNewFieldRef().withFieldPath("status.podIP")
                .endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("HOST_IP").withNewValueFrom().withNewFieldRef().withFieldPath("status.hostIP")
                .endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("NODE").withNewValueFrom().withNewFieldRef().withFieldPath("spec.nodeName")
                .endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("CPU_REQ_M").withNewValueFrom().withNewResourceFieldRef().withResource("requests.cpu")
                .withDivisor(new Quantity("1m")).endResourceFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("CPU_LIMIT").withNewValueFrom().withNewResourceFieldRef().withResource("limits.cpu")
                .endResourceFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("MEM_MI").withNewValueFrom().withNewResourceFieldRef().withResource("limits.memory")
                .withDivisor(new Quantity("1Mi")).endResourceFieldRef().endValueFrom().endEnv()
                .endContainer().endSpec().build();
        f.workers.sync(pod);
        f.awaitStatus(pod, st -> running(st, "app"));
        ContainerSpec spec = spec(pod, "app");
        assertThat(spec.env()).containsExactlyElementsOf(plus(java.util.List.of("POD_NAME=fields",
                "GREETING=hello fields in $(NS) costs $5", "NS=default", "TIER=web", "OWNER=ops", "POD_IP=10.42.0.2",
                "HOST_IP=192.168.1.10", "NODE=node-1", "CPU_REQ_M=250", "CPU_LIMIT=4", "MEM_MI=64"), kubernetesEnv()));
        assertThat(spec.entrypoint()).containsExactly("run", "--name=fields", "$(POD_NAME)", "$(UNDEFINED)");
        assertThat(spec.memoryLimitBytes()).isEqualTo(64L << 20);
        assertThat(spec.cpuShares()).isEqualTo(256);
        assertThat(spec.cpuQuotaMillis()).isZero();
    }

    @Test
    void servicesOfTheNamespaceBecomeEnvironmentUnlessLinksAreOff() {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("links").endMetadata().build())
                .create();
        var svc = client.services().inNamespace("links").resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                .withNewMetadata().withName("web-api").endMetadata().withNewSpec().addNewPort().withName("http")
                .withPort(80).withNewTargetPort(8080).endPort().addNewPort().withName("dns").withPort(53)
                .withProtocol("UDP").withNewTargetPort(53).endPort().endSpec().build()).create();
        String ip = svc.getSpec().getClusterIP();
        Pod pod = Fixture.pod("linked").editMetadata().withNamespace("links").endMetadata().editSpec()
                .addNewContainer().withName("app").withImage(Fixture.IMAGE)
                .addNewEnv().withName("WEB_API_SERVICE_PORT").withValue("mine").endEnv()
                .addNewEnv().withName("URL").withValue("http://$(WEB_API_SERVICE_HOST)/").endEnv()
                .endContainer().endSpec().build();
        Pod unlinked = new io.fabric8.kubernetes.api.model.PodBuilder(Fixture.pod("unlinked").editMetadata()
                .withNamespace("links").endMetadata().build()).editSpec().withEnableServiceLinks(false)
                .addNewContainer().withName("app").withImage(Fixture.IMAGE).endContainer().endSpec().build();
        f.workers.sync(pod);
        f.workers.sync(unlinked);
        f.awaitStatus(pod, st -> running(st, "app"));
        f.awaitStatus(unlinked, st -> running(st, "app"));
        assertThat(spec(pod, "app").env()).containsExactlyElementsOf(plus(plus(java.util.List.of(
                "WEB_API_SERVICE_PORT=mine", "URL=http://" + ip + "/"), kubernetesEnv()), java.util.List.of(
                "WEB_API_SERVICE_HOST=" + ip, "WEB_API_SERVICE_PORT_HTTP=80", "WEB_API_SERVICE_PORT_DNS=53",
                "WEB_API_PORT=tcp://" + ip + ":80", "WEB_API_PORT_80_TCP=tcp://" + ip + ":80",
                "WEB_API_PORT_80_TCP_PROTO=tcp", "WEB_API_PORT_80_TCP_PORT=80", "WEB_API_PORT_80_TCP_ADDR=" + ip,
                "WEB_API_PORT_53_UDP=udp://" + ip + ":53", "WEB_API_PORT_53_UDP_PROTO=udp",
                "WEB_API_PORT_53_UDP_PORT=53", "WEB_API_PORT_53_UDP_ADDR=" + ip)));
        assertThat(spec(unlinked, "app").env()).containsExactlyElementsOf(kubernetesEnv());
    }

    @Test
    void imagePullSecretsBecomeRegistryAuth() {
        String config = "{\"auths\":{\"registry.lab:5000\":{\"auth\":\"" + b64raw("robot:pa:ss") + "\"}}}";
        client.secrets().inNamespace("default").resource(new SecretBuilder().withNewMetadata().withName("regcred")
                .endMetadata().withType("kubernetes.io/dockerconfigjson").addToData(".dockerconfigjson", b64(config))
                .build()).create();
        Pod pod = Fixture.pod("private").editSpec().addNewImagePullSecret("regcred").addNewImagePullSecret("missing")
                .addNewContainer().withName("app").withImage("registry.lab:5000/team/app:3").endContainer().endSpec().build();
        f.workers.sync(pod);
        f.awaitStatus(pod, st -> running(st, "app"));
        assertThat(f.runtime.pulls()).singleElement().satisfies(p ->
                assertThat(p.auth()).isEqualTo(Optional.of(new RegistryAuth("registry.lab:5000", "robot", "pa:ss"))));
        assertThat(f.recorded.messages("FailedToRetrieveImagePullSecret"))
                .contains("Unable to retrieve some image pull secrets (missing); attempting to pull the image may not succeed.");
    }

    private static String b64(String s) {
        return b64raw(s);
    }

    private static String b64raw(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
