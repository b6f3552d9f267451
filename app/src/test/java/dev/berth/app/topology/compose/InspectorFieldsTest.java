package dev.berth.app.topology.compose;

import dev.berth.app.topology.compose.InspectorFields.Handler;
import dev.berth.app.topology.compose.InspectorFields.ProbeForm;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InspectorFieldsTest {
    private static final KubernetesSerialization SER = new KubernetesSerialization();

    private final DraftSet drafts = new DraftSet(LiveObjects.none());
    private final CommandStack stack = new CommandStack(drafts);

    private Container container(DraftKey key) {
        return SER.convertValue(drafts.object(key), Deployment.class).getSpec().getTemplate().getSpec().getContainers().getFirst();
    }

    private static EnvVar fromConfigMap(String name) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewConfigMapKeyRef("url", "settings", false)
                .endValueFrom().build();
    }

    @Test
    void environmentLinesKeepTheOrderAndTheVariablesFromSources() {
        List<EnvVar> existing = List.of(
                new EnvVarBuilder().withName("MODE").withValue("dev").build(),
                fromConfigMap("DB_URL"),
                new EnvVarBuilder().withName("OLD").withValue("1").build());
        assertThat(InspectorFields.formatEnv(existing)).isEqualTo("MODE=dev\nOLD=1\n");

        List<EnvVar> after = InspectorFields.parseEnv("MODE=prod\n\nGREETING=a=b c\n", existing);
        assertThat(after).extracting(EnvVar::getName).containsExactly("MODE", "DB_URL", "GREETING");
        assertThat(after.get(0).getValue()).isEqualTo("prod");
        assertThat(after.get(1).getValueFrom().getConfigMapKeyRef().getName()).isEqualTo("settings");
        assertThat(after.get(2).getValue()).isEqualTo("a=b c");

        assertThat(InspectorFields.parseEnv("DB_URL=postgres://db", existing))
                .extracting(EnvVar::getName, EnvVar::getValue)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("DB_URL", "postgres://db"));
    }

    @Test
    void anEnvironmentLineWithoutANameOrTwiceTheSameNameIsRefused() {
        assertThatThrownBy(() -> InspectorFields.parseEnv("A=1\njust words", List.of()))
                .hasMessage("env[1]: Invalid value: \"just words\": must be NAME=value");
        assertThatThrownBy(() -> InspectorFields.parseEnv("=1", List.of()))
                .hasMessage("env[0]: Invalid value: \"=1\": must be NAME=value");
        assertThatThrownBy(() -> InspectorFields.parseEnv("A=1\nA=2", List.of()))
                .hasMessage("env[1].name: Duplicate value: \"A\"");
    }

    @Test
    void anEnvironmentNameTheServerRefusesIsRefusedByTheEdit() {
        DraftKey web = stack.execute(new NewDeployment("default", "nginx:1.27.3"));
        assertThatThrownBy(() -> stack.execute(Edit.env(web, "nginx", InspectorFields.parseEnv("DÉJÀ_VU=x", List.of()))))
                .isInstanceOf(CompositionException.class)
                .hasMessageContaining("spec.template.spec.containers[0].env[0].name")
                .hasMessageContaining("printable ASCII characters other than '='");
        assertThat(container(web).getEnv()).isNullOrEmpty();
    }

    @Test
    void resourcesAreFourQuantitiesAndRequestsAboveLimitsAreRefusedWithTheServersWords() {
        assertThat(InspectorFields.parseResources(" ", "", null, "")).isNull();
        var r = InspectorFields.parseResources("250m", "128Mi", "", "256Mi");
        assertThat(r.getRequests()).containsOnlyKeys("cpu", "memory");
        assertThat(r.getLimits()).containsOnlyKeys("memory");
        assertThat(InspectorFields.quantity(r, false, "cpu")).isEqualTo("250m");
        assertThat(InspectorFields.quantity(r, true, "cpu")).isEmpty();

        DraftKey web = stack.execute(new NewDeployment("default", "nginx:1.27.3"));
        stack.execute(Edit.resources(web, "nginx", r));
        assertThat(container(web).getResources().getLimits().get("memory")).isEqualTo(new Quantity("256Mi"));

        assertThatThrownBy(() -> stack.execute(Edit.resources(web, "nginx",
                InspectorFields.parseResources("2", "", "1", ""))))
                .isInstanceOf(CompositionException.class)
                .hasMessageContaining("resources.requests")
                .hasMessageContaining("must be less than or equal to cpu limit");
        assertThatThrownBy(() -> stack.execute(Edit.resources(web, "nginx",
                InspectorFields.parseResources("lots", "", "", ""))))
                .isInstanceOf(CompositionException.class)
                .hasMessageContaining("lots");
        assertThat(InspectorFields.quantity(container(web).getResources(), false, "cpu")).isEqualTo("250m");
    }

    @Test
    void probesReadAndWriteAsAHandlerAndATarget() {
        Probe http = InspectorFields.parseProbe("readinessProbe", new ProbeForm(Handler.HTTP_GET, "8080/healthz", 5, null), null);
        assertThat(http.getHttpGet().getPort().getIntVal()).isEqualTo(8080);
        assertThat(http.getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(http.getHttpGet().getScheme()).isEqualTo("HTTP");
        assertThat(http.getInitialDelaySeconds()).isEqualTo(5);
        assertThat(InspectorFields.formatProbe(http)).isEqualTo(new ProbeForm(Handler.HTTP_GET, "8080/healthz", 5, null));

        Probe https = InspectorFields.parseProbe("livenessProbe", new ProbeForm(Handler.HTTP_GET, "https://web", null, 20), null);
        assertThat(https.getHttpGet().getPort().getStrVal()).isEqualTo("web");
        assertThat(https.getHttpGet().getScheme()).isEqualTo("HTTPS");
        assertThat(InspectorFields.formatProbe(https).target()).isEqualTo("https://web/");

        Probe tcp = InspectorFields.parseProbe("livenessProbe", new ProbeForm(Handler.TCP_SOCKET, "5432", null, null), null);
        assertThat(tcp.getTcpSocket().getPort().getIntVal()).isEqualTo(5432);

        Probe exec = InspectorFields.parseProbe("startupProbe", new ProbeForm(Handler.EXEC, "sh -c 'test -f /tmp/ready'", null, null), null);
        assertThat(exec.getExec().getCommand()).containsExactly("sh", "-c", "test -f /tmp/ready");
        assertThat(InspectorFields.formatProbe(exec).target()).isEqualTo("sh -c 'test -f /tmp/ready'");

        Probe grpc = InspectorFields.parseProbe("livenessProbe", new ProbeForm(Handler.GRPC, "50051 health", null, null), null);
        assertThat(grpc.getGrpc().getPort()).isEqualTo(50051);
        assertThat(grpc.getGrpc().getService()).isEqualTo("health");

        assertThat(InspectorFields.parseProbe("livenessProbe", new ProbeForm(Handler.NONE, "8080", null, null), http)).isNull();
        assertThat(InspectorFields.formatProbe(null).handler()).isEqualTo(Handler.NONE);
    }

    @Test
    void aNewHandlerReplacesTheOldOneAndKeepsThresholdsAndTimeouts() {
        Probe before = new ProbeBuilder().withNewHttpGet().withNewPort(80).withPath("/").endHttpGet()
                .withFailureThreshold(7).withTimeoutSeconds(3).build();
        Probe after = InspectorFields.parseProbe("livenessProbe", new ProbeForm(Handler.TCP_SOCKET, "80", null, null), before);
        assertThat(after.getHttpGet()).isNull();
        assertThat(after.getTcpSocket().getPort().getIntVal()).isEqualTo(80);
        assertThat(after.getFailureThreshold()).isEqualTo(7);
        assertThat(after.getTimeoutSeconds()).isEqualTo(3);
    }

    @Test
    void probeTargetsThatCannotBeReadNameTheFieldAndTheForm() {
        assertThatThrownBy(() -> InspectorFields.parseProbe("readinessProbe", new ProbeForm(Handler.HTTP_GET, "/healthz", null, null), null))
                .hasMessage("readinessProbe.httpGet: Invalid value: \"/healthz\": must be PORT/path, such as 8080/healthz or https://8443/ready");
        assertThatThrownBy(() -> InspectorFields.parseProbe("livenessProbe", new ProbeForm(Handler.TCP_SOCKET, "", null, null), null))
                .hasMessage("livenessProbe.tcpSocket.port: Required value: a port number or name");
        assertThatThrownBy(() -> InspectorFields.parseProbe("livenessProbe", new ProbeForm(Handler.TCP_SOCKET, "99999999999", null, null), null))
                .hasMessage("livenessProbe.tcpSocket.port: Invalid value: \"99999999999\": must be between 1 and 65535, inclusive");
        assertThatThrownBy(() -> InspectorFields.parseProbe("startupProbe", new ProbeForm(Handler.EXEC, "  ", null, null), null))
                .hasMessage("startupProbe.exec.command: Required value: a command to run in the container");
        assertThatThrownBy(() -> InspectorFields.parseProbe("livenessProbe", new ProbeForm(Handler.GRPC, "health", null, null), null))
                .hasMessageContaining("livenessProbe.grpc.port: Invalid value: \"health\"");
    }

    @Test
    void aProbeThePortRuleRefusesIsRefusedByTheEditAndUndoRestoresThePreviousOne() {
        DraftKey web = stack.execute(new NewDeployment("default", "nginx:1.27.3"));
        stack.execute(Edit.probe(web, "nginx", Edit.ProbeKind.READINESS,
                InspectorFields.parseProbe("readinessProbe", new ProbeForm(Handler.HTTP_GET, "80/", null, null), null)));
        assertThatThrownBy(() -> stack.execute(Edit.probe(web, "nginx", Edit.ProbeKind.READINESS,
                InspectorFields.parseProbe("readinessProbe", new ProbeForm(Handler.TCP_SOCKET, "70000", null, null), null))))
                .isInstanceOf(CompositionException.class)
                .hasMessageContaining("readinessProbe.tcpSocket.port");
        stack.execute(Edit.probe(web, "nginx", Edit.ProbeKind.READINESS,
                InspectorFields.parseProbe("readinessProbe", new ProbeForm(Handler.TCP_SOCKET, "8080", null, null), null)));
        assertThat(container(web).getReadinessProbe().getTcpSocket().getPort().getIntVal()).isEqualTo(8080);
        stack.undo();
        assertThat(container(web).getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(80);
    }
    @Test
    void aMountMovesToThePathTypedAndTwoMountsAtOnePathAreRefused() {
        DraftKey web = stack.execute(new NewDeployment("default", "nginx:1.27.3"));
        DraftKey data = stack.execute(new NewObject("PersistentVolumeClaim", "default", "data"));
        DraftKey cache = stack.execute(new NewObject("PersistentVolumeClaim", "default", "cache"));
        stack.execute(new AttachClaim(web, "nginx", data, null));
        stack.execute(new AttachClaim(web, "nginx", cache, null));
        stack.execute(Edit.mountPath(web, "nginx", 0, " /var/lib/data "));
        assertThat(container(web).getVolumeMounts()).extracting(m -> m.getName() + "@" + m.getMountPath())
                .containsExactly("data@/var/lib/data", "cache@/data/cache");
        assertThatThrownBy(() -> stack.execute(Edit.mountPath(web, "nginx", 1, "/var/lib/data")))
                .isInstanceOf(CompositionException.class)
                .hasMessageContaining("volumeMounts[1].mountPath")
                .hasMessageContaining("/var/lib/data");
        assertThatThrownBy(() -> stack.execute(Edit.mountPath(web, "nginx", 1, "  ")))
                .hasMessageContaining("volumeMounts[1].mountPath: Required value");
        assertThatThrownBy(() -> stack.execute(Edit.mountPath(web, "nginx", 1, "cache")))
                .hasMessage("Deployment \"nginx\": spec.template.spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"cache\": must be an absolute path");
        assertThatThrownBy(() -> stack.execute(Edit.mountPath(web, "nginx", 5, "/x")))
                .hasMessageContaining("volumeMounts[5]");
        assertThat(container(web).getVolumeMounts().get(1).getMountPath()).isEqualTo("/data/cache");
        stack.undo();
        assertThat(container(web).getVolumeMounts().get(0).getMountPath()).isEqualTo("/data/data");
    }

    @Test
    void anIngressRuleGetsTheHostTypedAndTwoRulesForOneHostAreRefused() {
        DraftKey web = stack.execute(new NewDeployment("default", "nginx:1.27.3"));
        stack.execute(Edit.ports(web, "nginx", List.of(new io.fabric8.kubernetes.api.model.ContainerPortBuilder().withContainerPort(80).build())));
        DraftKey svc = stack.execute(new NewObject("Service", "default", "web"));
        stack.execute(new ConnectService(svc, web));
        DraftKey ing = stack.execute(new NewObject("Ingress", "default", "site"));
        stack.execute(new ConnectIngress(ing, svc, null));
        stack.execute(Edit.ingressHost(ing, 0, " shop.lab.example "));
        var rules = SER.convertValue(drafts.object(ing), io.fabric8.kubernetes.api.model.networking.v1.Ingress.class).getSpec().getRules();
        assertThat(rules).singleElement().satisfies(r -> assertThat(r.getHost()).isEqualTo("shop.lab.example"));
        assertThatThrownBy(() -> stack.execute(Edit.ingressHost(ing, 0, "Not_A_Host")))
                .isInstanceOf(CompositionException.class)
                .hasMessageContaining("spec.rules[0].host")
                .hasMessageContaining("Not_A_Host");
        stack.execute(new ConnectIngress(ing, svc, null));
        assertThatThrownBy(() -> stack.execute(Edit.ingressHost(ing, 1, "shop.lab.example")))
                .hasMessageContaining("spec.rules[1].host: Duplicate value: \"shop.lab.example\"");
        stack.execute(Edit.ingressHost(ing, 1, "api.lab.example"));
        stack.execute(Edit.ingressHost(ing, 0, ""));
        assertThatThrownBy(() -> stack.execute(Edit.ingressHost(ing, 1, " ")))
                .hasMessageContaining("spec.rules[1].host: Duplicate value");
    }
}
