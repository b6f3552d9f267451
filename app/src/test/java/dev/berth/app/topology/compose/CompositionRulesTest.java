package dev.berth.app.topology.compose;

import dev.berth.core.api.defaulting.Defaulter;
import dev.berth.core.api.validation.Validator;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompositionRulesTest {
    private static final KubernetesSerialization SER = new KubernetesSerialization();

    private final DraftSet drafts = new DraftSet(LiveObjects.none());
    private final CommandStack stack = new CommandStack(drafts);

    private Deployment deployment(DraftKey key) {
        return SER.convertValue(drafts.object(key), Deployment.class);
    }

    private PodSpec pod(DraftKey key) {
        return deployment(key).getSpec().getTemplate().getSpec();
    }

    // ---- image on empty canvas ----

    @Test
    void imageOnCanvasMakesADeploymentNamedAfterTheImageWithMatchingLabelsAndSelector() {
        DraftKey key = stack.execute(new NewDeployment("shop", "ghcr.io/acme/Web_Frontend:2.1"));
        assertThat(key).isEqualTo(new DraftKey("apps", "Deployment", "shop", "web-frontend"));
        Deployment d = deployment(key);
        assertThat(d.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(Map.of("app", "web-frontend"));
        assertThat(d.getSpec().getSelector().getMatchLabels()).containsExactlyInAnyOrderEntriesOf(Map.of("app", "web-frontend"));
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(Map.of("app", "web-frontend"));
        assertThat(d.getSpec().getTemplate().getSpec().getContainers()).singleElement().satisfies(c -> {
            assertThat(c.getImage()).isEqualTo("ghcr.io/acme/Web_Frontend:2.1");
            assertThat(c.getName()).isEqualTo("web-frontend");
        });
        assertThat(drafts.draft(key).state()).isEqualTo(Draft.State.NEW);
        assertThat(valid(drafts.object(key))).isEmpty();
    }

    @Test
    void newDeploymentNamesAreUniqueInTheNamespaceAmongDraftsAndLiveObjects() {
        GenericKubernetesResource live = Objects2.generic(NewDeployment.build("shop", "nginx", "nginx:1.27.3"));
        DraftSet withLive = new DraftSet(LiveObjects.of(List.of(live)));
        CommandStack s = new CommandStack(withLive);
        assertThat(s.execute(new NewDeployment("shop", "nginx:1.27.3")).name()).isEqualTo("nginx-2");
        assertThat(s.execute(new NewDeployment("shop", "library/nginx@sha256:abcd")).name()).isEqualTo("nginx-3");
        assertThat(s.execute(new NewDeployment("other", "nginx:1.27.3")).name()).isEqualTo("nginx");
    }

    @Test
    void namesFromOddImagesAreValidDnsLabels() {
        String longName = "x".repeat(80);
        DraftKey key = stack.execute(new NewDeployment("default", "registry.local:5000/team/" + longName + ":1"));
        assertThat(key.name()).hasSize(63);
        assertThat(dev.berth.core.api.labels.Names.dns1123Label(key.name())).isEmpty();
        assertThat(stack.execute(new NewDeployment("default", "registry.local:5000/team/" + longName + ":2")).name())
                .hasSize(63).endsWith("-2");
        assertThat(Names.fromImage("___:1")).isEqualTo("app");
    }

    @Test
    void aBlankImageIsRefusedNamingTheField() {
        assertThatThrownBy(() -> stack.execute(new NewDeployment("default", " ")))
                .isInstanceOf(CompositionException.class)
                .hasMessageContaining("spec.template.spec.containers[0].image: Required value");
        assertThat(drafts.isEmpty()).isTrue();
        assertThat(stack.canUndo()).isFalse();
    }

    // ---- image onto a workload ----

    @Test
    void imageOntoAWorkloadAddsASidecarWithAUniqueNameThatMountsTheSameVolumes() {
        DraftKey web = stack.execute(new NewDeployment("default", "nginx:1.27.3"));
        DraftKey claim = stack.execute(new NewObject("PersistentVolumeClaim", "default", "content"));
        stack.execute(new AttachClaim(web, "nginx", claim, "/usr/share/nginx/html"));
        assertThat(stack.execute(new AddSidecar(web, "busybox:1.36.1"))).isEqualTo("busybox");
        assertThat(stack.execute(new AddSidecar(web, "nginx:1.27.3"))).isEqualTo("nginx-2");
        List<Container> cs = pod(web).getContainers();
        assertThat(cs).extracting(Container::getName).containsExactly("nginx", "busybox", "nginx-2");
        assertThat(cs.get(1).getVolumeMounts()).singleElement()
                .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/usr/share/nginx/html"));
        assertThat(valid(drafts.object(web))).isEmpty();
    }

    @Test
    void sidecarNamesAvoidInitContainerNamesAndWorkOnCronJobsAndPods() {
        stack.execute(new AddTemplate(Template.CRON_JOB, "default"));
        DraftKey cron = new DraftKey("batch", "CronJob", "default", "backup");
        assertThat(stack.execute(new AddSidecar(cron, "busybox:1.36.1"))).isEqualTo("busybox");
        GenericKubernetesResource c = drafts.object(cron);
        List<Map<String, Object>> containers = c.get("spec", "jobTemplate", "spec", "template", "spec", "containers");
        assertThat(containers).hasSize(2);

        GenericKubernetesResource pod = Objects2.generic(new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata().withName("p").withNamespace("default").endMetadata()
                .withNewSpec().addNewInitContainer().withName("redis").withImage("busybox:1.36.1").endInitContainer()
                .addNewContainer().withName("main").withImage("busybox:1.36.1").endContainer().endSpec().build());
        stack.execute(new ImportDrafts("test", List.of(pod)));
        assertThat(stack.execute(new AddSidecar(DraftKey.of(pod), "redis:7.4.1"))).isEqualTo("redis-2");
    }

    @Test
    void droppingAnImageOnAServiceIsRefused() {
        DraftKey svc = stack.execute(new NewObject("Service", "default", null));
        assertThatThrownBy(() -> stack.execute(new AddSidecar(svc, "redis:7.4.1")))
                .hasMessageContaining("kind: Unsupported value: \"Service\"");
    }

    // ---- ConfigMap / Secret / PVC onto a container ----

    @Test
    void configMapOntoAContainerAsEnvironmentOrAsAMountedVolume() {
        DraftKey web = stack.execute(new NewDeployment("default", "nginx:1.27.3"));
        DraftKey cm = stack.execute(new NewObject("ConfigMap", "default", "settings"));
        DraftKey secret = stack.execute(new NewObject("Secret", "default", "tls"));
        stack.execute(new AttachConfig(web, "nginx", cm, AttachConfig.Mode.ENVIRONMENT, null));
        stack.execute(new AttachConfig(web, "nginx", cm, AttachConfig.Mode.VOLUME, null));
        stack.execute(new AttachConfig(web, "nginx", secret, AttachConfig.Mode.ENVIRONMENT, null));
        stack.execute(new AttachConfig(web, "nginx", secret, AttachConfig.Mode.VOLUME, null));
        Container c = pod(web).getContainers().getFirst();
        assertThat(c.getEnvFrom()).hasSize(2);
        assertThat(c.getEnvFrom().get(0).getConfigMapRef().getName()).isEqualTo("settings");
        assertThat(c.getEnvFrom().get(1).getSecretRef().getName()).isEqualTo("tls");
        assertThat(c.getVolumeMounts()).extracting(m -> m.getMountPath())
                .containsExactly("/etc/config/settings", "/etc/secrets/tls");
        assertThat(c.getVolumeMounts()).allSatisfy(m -> assertThat(m.getReadOnly()).isTrue());
        assertThat(pod(web).getVolumes()).hasSize(2);
        assertThat(pod(web).getVolumes().get(0).getConfigMap().getName()).isEqualTo("settings");
        assertThat(pod(web).getVolumes().get(1).getSecret().getSecretName()).isEqualTo("tls");
        assertThat(valid(drafts.object(web))).isEmpty();
    }

    @Test
    void configAttachedTwiceOrAtATakenPathIsRefused() {
        DraftKey web = stack.execute(new NewDeployment("default", "nginx:1.27.3"));
        DraftKey cm = stack.execute(new NewObject("ConfigMap", "default", "settings"));
        DraftKey other = stack.execute(new NewObject("ConfigMap", "default", "other"));
        stack.execute(new AttachConfig(web, "nginx", cm, AttachConfig.Mode.ENVIRONMENT, null));
        assertThatThrownBy(() -> stack.execute(new AttachConfig(web, "nginx", cm, AttachConfig.Mode.ENVIRONMENT, null)))
                .hasMessageContaining("spec.template.spec.containers[0].envFrom: Duplicate value: \"settings\"");
        stack.execute(new AttachConfig(web, "nginx", cm, AttachConfig.Mode.VOLUME, "/conf"));
        assertThatThrownBy(() -> stack.execute(new AttachConfig(web, "nginx", other, AttachConfig.Mode.VOLUME, "/conf")))
                .hasMessageContaining("volumeMounts[0].mountPath: Invalid value: \"/conf\": must be unique");
        assertThatThrownBy(() -> stack.execute(new AttachConfig(web, "nginx", other, AttachConfig.Mode.VOLUME, "relative/path")))
                .hasMessageContaining("mountPath");
        assertThatThrownBy(() -> stack.execute(new AttachConfig(web, "sidecar", other, AttachConfig.Mode.VOLUME, null)))
                .hasMessageContaining("containers: Not found: \"sidecar\"");
    }

    @Test
    void configFromAnotherNamespaceIsRefused() {
        DraftKey web = stack.execute(new NewDeployment("a", "nginx:1.27.3"));
        DraftKey cm = stack.execute(new NewObject("ConfigMap", "b", "settings"));
        assertThatThrownBy(() -> stack.execute(new AttachConfig(web, "nginx", cm, AttachConfig.Mode.ENVIRONMENT, null)))
                .hasMessageContaining("metadata.namespace: Invalid value: \"b\"");
    }

    @Test
    void claimOntoAContainerAddsAVolumeAndAWritableMount() {
        DraftKey db = stack.execute(new NewDeployment("default", "postgres:16.6"));
        DraftKey claim = stack.execute(new NewObject("PersistentVolumeClaim", "default", null));
        stack.execute(new AttachClaim(db, "postgres", claim, null));
        assertThat(pod(db).getVolumes()).singleElement()
                .satisfies(v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("data"));
        assertThat(pod(db).getContainers().getFirst().getVolumeMounts()).singleElement().satisfies(m -> {
            assertThat(m.getMountPath()).isEqualTo("/data/data");
            assertThat(m.getReadOnly()).isNull();
        });
        assertThatThrownBy(() -> stack.execute(new AttachClaim(db, "postgres", claim, "/other")))
                .hasMessageContaining("Duplicate value: \"data\"");
    }

    // ---- Service → workload ----

    @Test
    void serviceEdgeReusesTheLabelsTheWorkloadSelectorMatchesAndFillsPortsFromContainers() {
        DraftKey web = stack.execute(new NewDeployment("default", "nginx:1.27.3"));
        stack.execute(Edit.ports(web, "nginx", List.of(new ContainerPortBuilder().withContainerPort(80).build(),
                new ContainerPortBuilder().withName("metrics").withContainerPort(9113).build())));
        DraftKey svc = stack.execute(new NewObject("Service", "default", "frontend"));
        Map<String, String> selector = stack.execute(new ConnectService(svc, web));
        assertThat(selector).containsExactlyInAnyOrderEntriesOf(Map.of("app", "nginx"));
        Service s = SER.convertValue(drafts.object(svc), Service.class);
        assertThat(s.getSpec().getSelector()).containsExactlyInAnyOrderEntriesOf(Map.of("app", "nginx"));
        assertThat(s.getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort() + "->" + p.getTargetPort().getIntVal())
                .containsExactly("tcp-80:80->80", "metrics:9113->9113");
        assertThat(deployment(web).getSpec().getTemplate().getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(Map.of("app", "nginx"));
        assertThat(valid(drafts.object(svc))).isEmpty();
    }

    @Test
    void serviceEdgeAddsANameLabelWhenTheLabelsAlsoSelectAnotherWorkloadAndNeverTouchesTheSelector() {
        // two Deployments whose pods are both app=shop: a selector app=shop would reach both
        Deployment a = new DeploymentBuilder(NewDeployment.build("default", "api", "api:1"))
                .editSpec().editSelector().withMatchLabels(Map.of("app", "shop")).endSelector()
                .editTemplate().editMetadata().withLabels(Map.of("app", "shop")).endMetadata().endTemplate().endSpec().build();
        Deployment b = new DeploymentBuilder(a).editMetadata().withName("ui").endMetadata().build();
        DraftSet live = new DraftSet(LiveObjects.of(List.of(Objects2.generic(a), Objects2.generic(b))));
        CommandStack s = new CommandStack(live);
        DraftKey svc = s.execute(new NewObject("Service", "default", "api"));
        Map<String, String> selector = s.execute(new ConnectService(svc, DraftKey.of(a)));
        assertThat(selector).containsExactlyInAnyOrderEntriesOf(Map.of("app", "shop", "app.kubernetes.io/name", "api"));
        Deployment after = SER.convertValue(live.object(DraftKey.of(a)), Deployment.class);
        assertThat(after.getSpec().getSelector().getMatchLabels()).containsExactlyInAnyOrderEntriesOf(Map.of("app", "shop"));
        assertThat(after.getSpec().getTemplate().getMetadata().getLabels())
                .containsExactlyInAnyOrderEntriesOf(Map.of("app", "shop", "app.kubernetes.io/name", "api"));
        assertThat(live.draft(DraftKey.of(a)).state()).isEqualTo(Draft.State.MODIFIED);
        assertThat(live.draft(DraftKey.of(b))).isNull();
    }

    @Test
    void serviceEdgeToAPodWithoutLabelsLabelsThePod() {
        GenericKubernetesResource pod = Objects2.generic(new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata().withName("solo").withNamespace("default").endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage("busybox:1.36.1")
                .addNewPort().withContainerPort(8080).endPort().endContainer().endSpec().build());
        stack.execute(new ImportDrafts("test", List.of(pod)));
        DraftKey svc = stack.execute(new NewObject("Service", "default", null));
        assertThat(stack.execute(new ConnectService(svc, DraftKey.of(pod))))
                .containsExactlyInAnyOrderEntriesOf(Map.of("app.kubernetes.io/name", "solo"));
        GenericKubernetesResource p = drafts.object(DraftKey.of(pod));
        assertThat(p.getMetadata().getLabels()).containsEntry("app.kubernetes.io/name", "solo");
    }

    @Test
    void serviceEdgeAcrossNamespacesOrFromAnExternalNameServiceIsRefused() {
        DraftKey web = stack.execute(new NewDeployment("a", "nginx:1.27.3"));
        DraftKey svc = stack.execute(new NewObject("Service", "b", null));
        assertThatThrownBy(() -> stack.execute(new ConnectService(svc, web)))
                .hasMessageContaining("metadata.namespace: Invalid value: \"b\"");
        DraftKey ext = stack.execute(new NewObject("Service", "a", "ext"));
        GenericKubernetesResource e = drafts.object(ext);
        ((Map<String, Object>) e.getAdditionalProperties().get("spec")).put("type", "ExternalName");
        stack.execute(Edit.replace(ext, e));
        assertThatThrownBy(() -> stack.execute(new ConnectService(ext, web)))
                .hasMessageContaining("spec.type: Invalid value: \"ExternalName\"");
    }

    // ---- Ingress → Service ----

    @Test
    void ingressEdgeAddsARuleForSlashPrefixToTheFirstServicePort() {
        stack.execute(new AddTemplate(Template.WEB_SERVER, "default"));
        DraftKey svc = new DraftKey("", "Service", "default", "web");
        DraftKey ing = stack.execute(new NewObject("Ingress", "default", null));
        stack.execute(new ConnectIngress(ing, svc, null));
        stack.execute(new ConnectIngress(ing, svc, "shop.lab.example"));
        Ingress i = SER.convertValue(drafts.object(ing), Ingress.class);
        assertThat(i.getSpec().getRules()).hasSize(2);
        assertThat(i.getSpec().getRules().get(0).getHost()).isNull();
        assertThat(i.getSpec().getRules().get(1).getHost()).isEqualTo("shop.lab.example");
        var path = i.getSpec().getRules().get(1).getHttp().getPaths().getFirst();
        assertThat(path.getPath()).isEqualTo("/");
        assertThat(path.getPathType()).isEqualTo("Prefix");
        assertThat(path.getBackend().getService().getName()).isEqualTo("web");
        assertThat(path.getBackend().getService().getPort().getNumber()).isEqualTo(80);
        assertThat(valid(drafts.object(ing))).isEmpty();
        assertThatThrownBy(() -> stack.execute(new ConnectIngress(ing, svc, "shop.lab.example")))
                .hasMessageContaining("spec.rules[1].http.paths[0].path: Duplicate value: \"/\"");
        assertThatThrownBy(() -> stack.execute(new ConnectIngress(ing, svc, "Not A Host")))
                .hasMessageContaining("spec.rules[2].host: Invalid value: \"Not A Host\"");
    }

    @Test
    void ingressEdgeToAServiceWithoutPortsIsRefusedOnTheService() {
        DraftKey svc = stack.execute(new NewObject("Service", "default", null));
        DraftKey ing = stack.execute(new NewObject("Ingress", "default", null));
        assertThatThrownBy(() -> stack.execute(new ConnectIngress(ing, svc, null)))
                .isInstanceOfSatisfying(CompositionException.class, e -> assertThat(e.key()).isEqualTo(svc))
                .hasMessageContaining("spec.ports: Required value: Service \"service\" has no ports");
    }

    // ---- in-place edits ----

    @Test
    void inPlaceEditsAreCheckedWithTheServersRulesNamingFieldAndValue() {
        DraftKey web = stack.execute(new NewDeployment("default", "nginx:1.27.3"));
        stack.execute(Edit.replicas(web, 3));
        assertThat(deployment(web).getSpec().getReplicas()).isEqualTo(3);
        assertThatThrownBy(() -> stack.execute(Edit.replicas(web, -1)))
                .hasMessage("Deployment \"nginx\": spec.replicas: Invalid value: \"-1\": must be greater than or equal to 0");
        assertThat(deployment(web).getSpec().getReplicas()).isEqualTo(3);

        assertThatThrownBy(() -> stack.execute(Edit.image(web, "nginx", "")))
                .hasMessageContaining("spec.template.spec.containers[0].image: Required value");
        stack.execute(Edit.image(web, "nginx", "nginx:1.27.4"));
        assertThat(pod(web).getContainers().getFirst().getImage()).isEqualTo("nginx:1.27.4");

        assertThatThrownBy(() -> stack.execute(Edit.ports(web, "nginx", List.of(new ContainerPortBuilder().withContainerPort(70000).build()))))
                .hasMessageContaining("spec.template.spec.containers[0].ports[0].containerPort: Invalid value: \"70000\"");
        assertThatThrownBy(() -> stack.execute(Edit.ports(web, "nginx", List.of(new ContainerPortBuilder().withContainerPort(80).build(),
                new ContainerPortBuilder().withContainerPort(80).withProtocol("TCP").build()))))
                .hasMessageContaining("ports[1]: Duplicate value: \"80/TCP\"");

        assertThatThrownBy(() -> stack.execute(Edit.env(web, "nginx", List.of(new EnvVar("A=B", "1", null)))))
                .hasMessageContaining("spec.template.spec.containers[0].env[0].name: Invalid value: \"A=B\"");
        stack.execute(Edit.env(web, "nginx", List.of(new EnvVar("MODE", "production", null))));

        assertThatThrownBy(() -> stack.execute(Edit.probe(web, "nginx", Edit.ProbeKind.READINESS, new ProbeBuilder()
                .withNewHttpGet().withPath("/").withNewPort(80).endHttpGet().withPeriodSeconds(-5).build())))
                .hasMessageContaining("readinessProbe.periodSeconds: Invalid value: \"-5\"");
        stack.execute(Edit.probe(web, "nginx", Edit.ProbeKind.READINESS, new ProbeBuilder()
                .withNewHttpGet().withPath("/").withNewPort(80).endHttpGet().build()));
        assertThat(pod(web).getContainers().getFirst().getReadinessProbe().getHttpGet().getPath()).isEqualTo("/");

        assertThatThrownBy(() -> stack.execute(Edit.resources(web, "nginx", new ResourceRequirementsBuilder()
                .withRequests(Map.of("memory", new Quantity("512Mi"))).withLimits(Map.of("memory", new Quantity("256Mi"))).build())))
                .hasMessageContaining("resources.requests")
                .hasMessageContaining("must be less than or equal to memory limit");
        stack.execute(Edit.resources(web, "nginx", new ResourceRequirementsBuilder()
                .withRequests(Map.of("cpu", new Quantity("100m"))).build()));
        assertThat(valid(drafts.object(web))).isEmpty();
    }

    @Test
    void replicasOfAKindWithoutThemAreRefused() {
        stack.execute(new AddTemplate(Template.CRON_JOB, "default"));
        assertThatThrownBy(() -> stack.execute(Edit.replicas(new DraftKey("batch", "CronJob", "default", "backup"), 2)))
                .hasMessageContaining("spec.replicas: Forbidden: a CronJob has no replicas");
    }

    // ---- templates ----

    @Test
    void everyTemplateIsValidPinsItsImagesAndTakesAFreeName() {
        for (Template t : Template.values()) {
            List<DraftKey> keys = stack.execute(new AddTemplate(t, "lab"));
            assertThat(keys).as(t.name()).isNotEmpty();
            assertThat(Workload.isWorkload(keys.getFirst())).isTrue();
            for (DraftKey k : keys) {
                GenericKubernetesResource o = drafts.object(k);
                assertThat(valid(o)).as(k.toString()).isEmpty();
                String yaml = dev.berth.app.editor.YamlText.forEditing(o);
                assertThat(yaml).doesNotContain(":latest");
            }
            assertThat(t.image()).matches("[a-z0-9./-]+:[0-9][0-9A-Za-z.-]*");
        }
        List<DraftKey> again = stack.execute(new AddTemplate(Template.DATABASE, "lab"));
        assertThat(again).extracting(DraftKey::name).contains("db-2", "db-2-data", "db-2-credentials");
        Deployment db2 = deployment(new DraftKey("apps", "Deployment", "lab", "db-2"));
        assertThat(db2.getSpec().getTemplate().getSpec().getVolumes().getFirst().getPersistentVolumeClaim().getClaimName())
                .isEqualTo("db-2-data");
    }

    @Test
    void databaseTemplatePasswordsDiffer() {
        stack.execute(new AddTemplate(Template.DATABASE, "a"));
        stack.execute(new AddTemplate(Template.DATABASE, "b"));
        Map<String, String> a = drafts.object(new DraftKey("", "Secret", "a", "db-credentials")).get("stringData");
        Map<String, String> b = drafts.object(new DraftKey("", "Secret", "b", "db-credentials")).get("stringData");
        assertThat(a.get("POSTGRES_PASSWORD")).hasSizeGreaterThanOrEqualTo(24).isNotEqualTo(b.get("POSTGRES_PASSWORD"));
    }

    @Test
    void newObjectsFromTheKindsPaletteTakeFreeNamesAndRefuseTakenOnes() {
        assertThat(stack.execute(new NewObject("Service", "default", null)).name()).isEqualTo("service");
        assertThat(stack.execute(new NewObject("Service", "default", null)).name()).isEqualTo("service-2");
        assertThat(stack.execute(new NewObject("Namespace", "ignored", "team-a"))).isEqualTo(new DraftKey("", "Namespace", "", "team-a"));
        assertThatThrownBy(() -> stack.execute(new NewObject("Service", "default", "service")))
                .hasMessageContaining("metadata.name: Duplicate value: \"service\"");
        assertThatThrownBy(() -> stack.execute(new NewObject("ConfigMap", "default", "Bad_Name")))
                .hasMessageContaining("metadata.name: Invalid value: \"Bad_Name\"");
        assertThatThrownBy(() -> stack.execute(new NewObject("Gadget", "default", null)))
                .hasMessageContaining("kind: Unsupported value: \"Gadget\"");
    }

    /** What the API server's own validation says about the object after defaulting. */
    static List<String> valid(GenericKubernetesResource o) {
        Class<? extends HasMetadata> type = switch (o.getKind()) {
            case "Deployment" -> Deployment.class;
            case "Service" -> Service.class;
            case "Ingress" -> Ingress.class;
            case "CronJob" -> io.fabric8.kubernetes.api.model.batch.v1.CronJob.class;
            case "Secret" -> io.fabric8.kubernetes.api.model.Secret.class;
            case "PersistentVolumeClaim" -> io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class;
            case "ConfigMap" -> io.fabric8.kubernetes.api.model.ConfigMap.class;
            case "Pod" -> io.fabric8.kubernetes.api.model.Pod.class;
            default -> throw new IllegalArgumentException(o.getKind());
        };
        HasMetadata typed = SER.convertValue(o, type);
        new Defaulter().apply(typed);
        return new Validator().validateCreate(typed).stream().map(Object::toString).toList();
    }
}
