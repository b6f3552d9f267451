package dev.berth.core.apiserver.admission.podsecurity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.api.Json;
import dev.berth.core.apiserver.TestApiServer;
import dev.berth.core.apiserver.audit.AuditLog;
import dev.berth.core.testing.Kubectl;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Pod Security admission through the real kubectl and fabric8 against a real API server. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodSecurityAdmissionIT {
    @TempDir
    static Path dir;

    private TestApiServer server;
    private KubernetesClient client;
    private Kubectl kubectl;
    private AuditLog audit;

    @BeforeAll
    void start() throws Exception {
        server = new TestApiServer(dir);
        audit = new AuditLog(dir.resolve("audit"), AuditLog.Settings.defaults(), Clock.systemUTC());
        server.server().useAuditLog(audit);
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(server.kubeconfig())))
                .build();
        Path home = Files.createDirectories(dir.resolve("home"));
        kubectl = new Kubectl(server.kubeconfig(), home);
    }

    @AfterAll
    void stop() {
        if (client != null) client.close();
        if (server != null) server.close();
    }

    private void namespace(String name, Map<String, String> labels) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels)
                .endMetadata().build()).create();
    }

    private static String privilegedPod(String name) {
        return """
                apiVersion: v1
                kind: Pod
                metadata: {name: %s}
                spec:
                  containers:
                  - name: c
                    image: busybox
                    securityContext: {privileged: true}
                """.formatted(name);
    }

    @Test
    void aRestrictedNamespaceRefusesAPrivilegedPodWithKubernetesMessage() {
        namespace("psa-restricted", Map.of("pod-security.kubernetes.io/enforce", "restricted"));
        Kubectl.Result r = kubectl.run(privilegedPod("root"), Map.of(), "apply", "-n", "psa-restricted", "-f", "-");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("Error from server (Forbidden)")
                .contains("pods \"root\" is forbidden: violates PodSecurity \"restricted:latest\": privileged (container \"c\" "
                        + "must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container \"c\" "
                        + "must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "
                        + "\"c\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod or "
                        + "container \"c\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "
                        + "\"c\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")");
        assertThat(client.pods().inNamespace("psa-restricted").withName("root").get()).isNull();

        client.pods().inNamespace("psa-restricted").resource(new PodBuilder().withNewMetadata().withName("hardened")
                .endMetadata().withNewSpec()
                .withNewSecurityContext().withRunAsNonRoot(true).withNewSeccompProfile().withType("RuntimeDefault")
                .endSeccompProfile().endSecurityContext()
                .addNewContainer().withName("c").withImage("busybox").withNewSecurityContext()
                .withAllowPrivilegeEscalation(false).withNewCapabilities().withDrop("ALL").endCapabilities()
                .endSecurityContext().endContainer().endSpec().build()).create();
        assertThat(client.pods().inNamespace("psa-restricted").withName("hardened").get()).isNotNull();
    }

    @Test
    void warnModeWarnsOnPodsAndWorkloadTemplatesAndEnforceLeavesWorkloadsAlone() {
        namespace("psa-warn", Map.of("pod-security.kubernetes.io/warn", "baseline",
                "pod-security.kubernetes.io/enforce", "baseline"));
        Kubectl.Result r = kubectl.run("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: net}
                spec:
                  selector: {matchLabels: {app: net}}
                  template:
                    metadata: {labels: {app: net}}
                    spec:
                      hostNetwork: true
                      containers: [{name: c, image: busybox}]
                """, Map.of(), "apply", "-n", "psa-warn", "-f", "-").ok();
        assertThat(r.err()).contains("Warning: would violate PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true)");
        assertThat(r.out()).contains("deployment.apps/net created");

        namespace("psa-warn-only", Map.of("pod-security.kubernetes.io/warn", "restricted",
                "pod-security.kubernetes.io/warn-version", "v1.30"));
        Kubectl.Result pod = kubectl.run(privilegedPod("warned"), Map.of(), "apply", "-n", "psa-warn-only", "-f", "-").ok();
        assertThat(pod.err()).contains("Warning: would violate PodSecurity \"restricted:v1.30\": privileged (container \"c\"");
        assertThat(pod.out()).contains("pod/warned created");
    }

    @Test
    void tighteningANamespaceWarnsAboutItsExistingPods() {
        namespace("psa-existing", Map.of());
        for (String name : new String[] {"a", "b"}) {
            kubectl.run(privilegedPod(name), Map.of(), "apply", "-n", "psa-existing", "-f", "-").ok();
        }
        kubectl.run("apiVersion: v1\nkind: Pod\nmetadata: {name: plain}\nspec:\n  containers: [{name: c, image: busybox}]\n",
                Map.of(), "apply", "-n", "psa-existing", "-f", "-").ok();
        Kubectl.Result r = kubectl.run("label", "--dry-run=server", "ns", "psa-existing",
                "pod-security.kubernetes.io/enforce=baseline").ok();
        assertThat(r.err()).contains(
                "Warning: existing pods in namespace \"psa-existing\" violate the new PodSecurity enforce level \"baseline:latest\"",
                "Warning: a (and 1 other pod): privileged");
        assertThat(r.err()).doesNotContain("plain");
        assertThat(client.namespaces().withName("psa-existing").get().getMetadata().getLabels())
                .doesNotContainKey("pod-security.kubernetes.io/enforce");
    }

    @Test
    void aNamespaceLabelWithAnUnknownLevelOrVersionIsRefused() {
        namespace("psa-invalid", Map.of());
        Kubectl.Result r = kubectl.run("label", "ns", "psa-invalid", "pod-security.kubernetes.io/enforce=strict");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("Namespace \"psa-invalid\" is invalid",
                "metadata.labels[pod-security.kubernetes.io/enforce]", "\"strict\"",
                "must be one of privileged, baseline, restricted");
        Kubectl.Result v = kubectl.run("label", "ns", "psa-invalid", "pod-security.kubernetes.io/audit-version=1.30");
        assertThat(v.exit()).isNotZero();
        assertThat(v.err()).contains("metadata.labels[pod-security.kubernetes.io/audit-version]",
                "must be \"latest\" or of the form \"v1.x\"");
    }

    @Test
    void auditModeNotesTheViolationInTheAuditEventAndAdmitsThePod() throws Exception {
        namespace("psa-audit", Map.of("pod-security.kubernetes.io/audit", "restricted"));
        Kubectl.Result r = kubectl.run(privilegedPod("audited"), Map.of(), "apply", "-n", "psa-audit", "-f", "-").ok();
        assertThat(r.err()).doesNotContain("Warning");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode event = Files.readAllLines(audit.file()).stream().map(l -> Json.parse(l.getBytes()))
                    .filter(e -> e.path("verb").asText().equals("create")
                            && e.path("objectRef").path("name").asText().equals("audited"))
                    .findFirst().orElseThrow();
            assertThat(event.path("annotations").path("pod-security.kubernetes.io/audit-violations").asText())
                    .startsWith("would violate PodSecurity \"restricted:latest\": privileged (container \"c\"");
            assertThat(event.path("responseStatus").path("code").asInt()).isEqualTo(201);
        });
    }
}
