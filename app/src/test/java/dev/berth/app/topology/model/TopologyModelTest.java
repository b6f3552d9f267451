package dev.berth.app.topology.model;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.berth.app.topology.model.Objects.deployment;
import static dev.berth.app.topology.model.Objects.generic;
import static dev.berth.app.topology.model.Objects.pod;
import static dev.berth.app.topology.model.Objects.replicaSet;
import static dev.berth.app.topology.model.Objects.service;
import static dev.berth.app.topology.model.Objects.slice;
import static dev.berth.app.topology.model.Objects.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopologyModelTest {
    final TopologyModel model = new TopologyModel("shop");

    static ObjectChange up(String kind, GenericKubernetesResource o) {
        return ObjectChange.upsert(kind, o);
    }

    static ElementId id(String kind, String name) {
        return ElementId.of(kind, "shop", name);
    }

    static TopologyEdge edge(String fk, String fn, String tk, String tn, EdgeType t) {
        return TopologyEdge.of(id(fk, fn), id(tk, tn), t);
    }

    private void webWithOneReplicaSet() {
        model.apply(List.of(up("Deployment", deployment("shop", "web", 2, spec("web"))),
                up("ReplicaSet", replicaSet("shop", "web-1a", "web", 1, 2, 2)),
                up("Pod", pod("shop", "web-1a-x", "ReplicaSet", "web-1a", "Running", true, "n1")),
                up("Pod", pod("shop", "web-1a-y", "ReplicaSet", "web-1a", "Running", true, "n1"))));
    }

    @Test
    void ownerReferencesJoinDeploymentReplicaSetAndPodsAndPodsSitInTheirReplicaSet() {
        webWithOneReplicaSet();

        assertThat(model.edges()).contains(edge("Deployment", "web", "ReplicaSet", "web-1a", EdgeType.OWNS),
                edge("ReplicaSet", "web-1a", "Pod", "web-1a-x", EdgeType.OWNS));
        assertThat(model.podsOf(id("ReplicaSet", "web-1a"))).containsExactly(id("Pod", "web-1a-x"), id("Pod", "web-1a-y"));
        assertThat(model.isContained(id("Pod", "web-1a-x"))).isTrue();
    }

    @Test
    void anEdgeToAnOwnerNotSeenYetAppearsWhenTheOwnerArrives() {
        TopologyDelta first = model.apply(up("Pod", pod("shop", "web-1a-x", "ReplicaSet", "web-1a", "Running", true, "n1")));
        assertThat(first.edgesAdded()).isEmpty();
        assertThat(model.isContained(id("Pod", "web-1a-x"))).isFalse();

        TopologyDelta second = model.apply(up("ReplicaSet", replicaSet("shop", "web-1a", "web", 1, 1, 1)));

        assertThat(second.added()).extracting(TopologyElement::id).containsExactly(id("ReplicaSet", "web-1a"));
        assertThat(second.edgesAdded()).containsExactly(edge("ReplicaSet", "web-1a", "Pod", "web-1a-x", EdgeType.OWNS));
        assertThat(model.isContained(id("Pod", "web-1a-x"))).isTrue();
    }

    @Test
    void cronJobOwnsJobsThatOwnPods() {
        model.apply(List.of(
                up("CronJob", generic(new CronJobBuilder().withNewMetadata().withNamespace("shop").withName("nightly").endMetadata()
                        .withNewSpec().withSchedule("0 3 * * *").withNewJobTemplate().withNewSpec().withNewTemplate().withSpec(spec("n"))
                        .endTemplate().endSpec().endJobTemplate().endSpec().build())),
                up("Job", generic(new JobBuilder().withNewMetadata().withNamespace("shop").withName("nightly-1")
                        .addNewOwnerReference().withKind("CronJob").withName("nightly").withUid("u").withApiVersion("batch/v1").withController(true).endOwnerReference()
                        .endMetadata().withNewSpec().withNewTemplate().withSpec(spec("n")).endTemplate().endSpec().build())),
                up("Pod", pod("shop", "nightly-1-abc", "Job", "nightly-1", "Succeeded", false, "n1"))));

        assertThat(model.edges()).contains(edge("CronJob", "nightly", "Job", "nightly-1", EdgeType.OWNS),
                edge("Job", "nightly-1", "Pod", "nightly-1-abc", EdgeType.OWNS));
        assertThat(model.podsOf(id("Job", "nightly-1"))).containsExactly(id("Pod", "nightly-1-abc"));
        assertThat(model.get(id("Pod", "nightly-1-abc")).health()).isEqualTo(Health.OK);
        assertThat(model.get(id("CronJob", "nightly")).summary()).isEqualTo("0 3 * * *, 0 active");
    }

    @Test
    void ingressRoutesToTheServicesOfItsRulesAndDefaultBackend() {
        model.apply(List.of(up("Service", service("shop", "web", Map.of("app", "web"))),
                up("Service", service("shop", "fallback", Map.of("app", "fallback"))),
                up("Ingress", generic(new IngressBuilder().withNewMetadata().withNamespace("shop").withName("front").endMetadata()
                        .withNewSpec().withNewDefaultBackend().withNewService().withName("fallback").withNewPort().withNumber(80).endPort().endService().endDefaultBackend()
                        .addNewRule().withHost("shop.example").withNewHttp().addNewPath().withPath("/").withPathType("Prefix")
                        .withNewBackend().withNewService().withName("web").withNewPort().withNumber(80).endPort().endService().endBackend()
                        .endPath().endHttp().endRule().endSpec().build()))));

        assertThat(model.edges()).filteredOn(e -> e.type() == EdgeType.ROUTES).containsExactlyInAnyOrder(
                edge("Ingress", "front", "Service", "web", EdgeType.ROUTES), edge("Ingress", "front", "Service", "fallback", EdgeType.ROUTES));
        assertThat(model.get(id("Ingress", "front")).summary()).isEqualTo("shop.example");
    }

    @Test
    void serviceSelectsTheWorkloadWhosePodTemplateMatchesNotItsReplicaSetsOrPods() {
        webWithOneReplicaSet();
        TopologyDelta d = model.apply(up("Service", service("shop", "web", Map.of("app", "web"))));

        assertThat(d.edgesAdded()).containsExactly(edge("Service", "web", "Deployment", "web", EdgeType.SELECTS));
        assertThat(model.edges()).filteredOn(e -> e.type() == EdgeType.SELECTS).hasSize(1);
    }

    @Test
    void aWorkloadAddedAfterTheServiceIsSelectedAndOneWhoseLabelsNoLongerMatchIsDropped() {
        model.apply(up("Service", service("shop", "web", Map.of("app", "web"))));
        TopologyDelta added = model.apply(up("Deployment", deployment("shop", "web", 1, spec("web"))));
        assertThat(added.edgesAdded()).containsExactly(edge("Service", "web", "Deployment", "web", EdgeType.SELECTS));

        GenericKubernetesResource relabelled = deployment("shop", "web", 1, spec("web"));
        ((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) relabelled.getAdditionalProperties()
                .get("spec")).get("template")).get("metadata"))).put("labels", Map.of("app", "other"));
        TopologyDelta changed = model.apply(up("Deployment", relabelled));

        assertThat(changed.edgesRemoved()).containsExactly(edge("Service", "web", "Deployment", "web", EdgeType.SELECTS));
        assertThat(model.edges()).noneMatch(e -> e.type() == EdgeType.SELECTS);
    }

    @Test
    void aServiceWithoutSelectorSelectsNothingAndAStandalonePodIsSelectedItself() {
        model.apply(List.of(up("Service", service("shop", "manual", Map.of())), up("Service", service("shop", "solo", Map.of("app", "solo"))),
                up("Pod", pod("shop", "solo", null, null, "Running", true, "n1"))));

        assertThat(model.edges()).containsExactly(edge("Service", "solo", "Pod", "solo", EdgeType.SELECTS));
        assertThat(model.get(id("Service", "manual")).health()).isEqualTo(Health.OK);
    }

    @Test
    void endpointSlicesGiveServiceToPodEdgesWithPerPodReadiness() {
        webWithOneReplicaSet();
        model.apply(up("Service", service("shop", "web", Map.of("app", "web"))));
        TopologyDelta d = model.apply(up("EndpointSlice", slice("shop", "web-abc", "web", Map.of("web-1a-x", true, "web-1a-y", false))));

        assertThat(d.edgesAdded()).containsExactlyInAnyOrder(new TopologyEdge(id("Service", "web"), id("Pod", "web-1a-x"), EdgeType.ENDPOINT, true),
                new TopologyEdge(id("Service", "web"), id("Pod", "web-1a-y"), EdgeType.ENDPOINT, false));
        assertThat(d.restyled()).extracting(TopologyElement::summary).containsExactly("ClusterIP 10.43.0.20, 1/2 endpoints ready");
        assertThat(model.get(id("Service", "web")).health()).isEqualTo(Health.WARNING);

        TopologyDelta ready = model.apply(up("EndpointSlice", slice("shop", "web-abc", "web", Map.of("web-1a-x", true, "web-1a-y", true))));
        assertThat(ready.edgesRemoved()).containsExactly(new TopologyEdge(id("Service", "web"), id("Pod", "web-1a-y"), EdgeType.ENDPOINT, false));
        assertThat(ready.edgesAdded()).containsExactly(new TopologyEdge(id("Service", "web"), id("Pod", "web-1a-y"), EdgeType.ENDPOINT, true));
        assertThat(model.get(id("Service", "web")).health()).isEqualTo(Health.OK);

        TopologyDelta gone = model.apply(ObjectChange.delete("EndpointSlice", slice("shop", "web-abc", "web", Map.of())));
        assertThat(gone.edgesRemoved()).hasSize(2);
        assertThat(model.get(id("Service", "web")).summary()).endsWith("0/0 endpoints ready");
    }

    @Test
    void podTemplatesAttachConfigMapsSecretsAndClaimsFromEnvEnvFromVolumesAndProjections() {
        PodSpec spec = new PodSpecBuilder()
                .addToContainers(new ContainerBuilder().withName("app").withImage("busybox:1")
                        .addNewEnvFrom().withNewConfigMapRef().withName("env-cm").endConfigMapRef().endEnvFrom()
                        .addNewEnvFrom().withNewSecretRef().withName("env-secret").endSecretRef().endEnvFrom()
                        .addNewEnv().withName("K").withNewValueFrom().withNewConfigMapKeyRef().withName("key-cm").withKey("k").endConfigMapKeyRef().endValueFrom().endEnv()
                        .addNewEnv().withName("P").withNewValueFrom().withNewSecretKeyRef().withName("key-secret").withKey("p").endSecretKeyRef().endValueFrom().endEnv()
                        .build())
                .addToInitContainers(new ContainerBuilder().withName("init").withImage("busybox:1")
                        .addNewEnvFrom().withNewConfigMapRef().withName("init-cm").endConfigMapRef().endEnvFrom().build())
                .addNewVolume().withName("a").withNewConfigMap().withName("vol-cm").endConfigMap().endVolume()
                .addNewVolume().withName("b").withNewSecret().withSecretName("vol-secret").endSecret().endVolume()
                .addNewVolume().withName("c").withNewPersistentVolumeClaim().withClaimName("data").endPersistentVolumeClaim().endVolume()
                .addNewVolume().withName("d").withNewProjected().addNewSource().withNewConfigMap().withName("proj-cm").endConfigMap().endSource()
                .addNewSource().withNewSecret().withName("proj-secret").endSecret().endSource().endProjected().endVolume()
                .build();
        model.apply(up("Deployment", deployment("shop", "web", 1, spec)));
        for (String cm : List.of("env-cm", "key-cm", "init-cm", "vol-cm", "proj-cm")) {
            model.apply(up("ConfigMap", generic(new ConfigMapBuilder().withNewMetadata().withNamespace("shop").withName(cm).endMetadata().addToData("a", "b").build())));
        }
        for (String s : List.of("env-secret", "key-secret", "vol-secret", "proj-secret")) {
            model.apply(up("Secret", generic(new SecretBuilder().withNewMetadata().withNamespace("shop").withName(s).endMetadata().build())));
        }
        TopologyDelta pvc = model.apply(up("PersistentVolumeClaim", generic(new PersistentVolumeClaimBuilder().withNewMetadata().withNamespace("shop")
                .withName("data").endMetadata().withNewStatus().withPhase("Bound").endStatus().build())));

        assertThat(pvc.edgesAdded()).containsExactly(edge("Deployment", "web", "PersistentVolumeClaim", "data", EdgeType.MOUNTS));
        assertThat(model.edgesOf(id("Deployment", "web"))).extracting(e -> e.to().name()).containsExactlyInAnyOrder(
                "env-cm", "key-cm", "init-cm", "vol-cm", "proj-cm", "env-secret", "key-secret", "vol-secret", "proj-secret", "data");
        assertThat(model.edgesOf(id("Deployment", "web"))).filteredOn(e -> e.type() == EdgeType.USES_SECRET).hasSize(4);
    }

    @Test
    void podsOfAWorkloadDoNotRepeatTheTemplatesConfigEdges() {
        model.apply(List.of(up("ConfigMap", generic(new ConfigMapBuilder().withNewMetadata().withNamespace("shop").withName("cfg").endMetadata().build())),
                up("ReplicaSet", replicaSet("shop", "web-1a", "web", 1, 1, 1))));
        GenericKubernetesResource p = pod("shop", "web-1a-x", "ReplicaSet", "web-1a", "Running", true, "n1");
        ((List<Object>) ((Map<String, Object>) p.getAdditionalProperties().get("spec")).computeIfAbsent("volumes", k -> new java.util.ArrayList<>()))
                .add(Map.of("name", "c", "configMap", Map.of("name", "cfg")));
        model.apply(up("Pod", p));

        assertThat(model.edgesOf(id("ConfigMap", "cfg"))).isEmpty();
    }

    @Test
    void aPodStatusChangeIsARestyleOfThatPodAlone() {
        webWithOneReplicaSet();
        GenericKubernetesResource crashing = pod("shop", "web-1a-x", "ReplicaSet", "web-1a", "Running", false, "n1");
        Map<String, Object> cs = ((List<Map<String, Object>>) ((Map<String, Object>) crashing.getAdditionalProperties().get("status")).get("containerStatuses")).get(0);
        cs.put("restartCount", 3);
        cs.put("state", Map.of("waiting", Map.of("reason", "CrashLoopBackOff")));

        TopologyDelta d = model.apply(up("Pod", crashing));

        assertThat(d.added()).isEmpty();
        assertThat(d.edgesAdded()).isEmpty();
        assertThat(d.regrouped()).isEmpty();
        assertThat(d.restyled()).singleElement().satisfies(e -> {
            assertThat(e.id()).isEqualTo(id("Pod", "web-1a-x"));
            assertThat(e.health()).isEqualTo(Health.FAILED);
            assertThat(e.pod().restarts()).isEqualTo(3);
            assertThat(e.summary()).isEqualTo("Running, not ready, 3 restarts");
        });
        assertThat(model.apply(up("Pod", crashing)).isEmpty()).as("the same state again changes nothing").isTrue();
    }

    @Test
    void aFailingReadinessProbeShowsOnThePod() {
        GenericKubernetesResource p = pod("shop", "solo", null, null, "Running", false, "n1");
        ((List<Map<String, Object>>) ((Map<String, Object>) p.getAdditionalProperties().get("spec")).get("containers")).get(0)
                .put("readinessProbe", Map.of("httpGet", Map.of("path", "/", "port", 80)));
        model.apply(up("Pod", p));

        assertThat(model.get(id("Pod", "solo")).pod().failingProbe()).isEqualTo("readiness");
        assertThat(model.get(id("Pod", "solo")).health()).isEqualTo(Health.WARNING);
    }

    @Test
    void aNodeGoingNotReadyRestylesThePodsOnIt() {
        model.apply(List.of(up("Node", Objects.node("n1", true)), up("Node", Objects.node("n2", true))));
        webWithOneReplicaSet();
        model.apply(up("Pod", pod("shop", "other", null, null, "Running", true, "n2")));

        TopologyDelta d = model.apply(up("Node", Objects.node("n1", false)));

        assertThat(d.restyled()).extracting(e -> e.id().name()).containsExactlyInAnyOrder("n1", "web-1a-x", "web-1a-y");
        assertThat(model.get(id("Pod", "web-1a-x")).health()).isEqualTo(Health.FAILED);
        assertThat(model.get(id("Pod", "web-1a-x")).summary()).endsWith("node n1 NotReady");
        assertThat(model.get(ElementId.of("Node", "", "n1")).summary()).isEqualTo("NotReady");
        assertThat(model.podsOnNode("n1")).hasSize(2);
    }

    @Test
    void rolloutMarksTheNewestReplicaSetNewAndTheOthersOld() {
        webWithOneReplicaSet();
        TopologyDelta d = model.apply(up("ReplicaSet", replicaSet("shop", "web-2b", "web", 2, 1, 0)));

        assertThat(model.get(id("ReplicaSet", "web-2b")).rollout().role()).isEqualTo(Rollout.Role.NEW);
        assertThat(model.get(id("ReplicaSet", "web-1a")).rollout().role()).isEqualTo(Rollout.Role.OLD);
        assertThat(d.restyled()).extracting(e -> e.id().name()).contains("web-1a");
        assertThat(model.get(id("ReplicaSet", "web-1a")).summary()).isEqualTo("2/2 ready, old: draining");

        TopologyDelta drained = model.apply(up("ReplicaSet", replicaSet("shop", "web-1a", "web", 1, 0, 0)));
        assertThat(drained.restyled()).extracting(TopologyElement::summary).containsExactly("0/0 ready, old");
    }

    @Test
    void deletingAnElementRemovesItAndItsEdgesAndItsPodsLeaveTheGrid() {
        webWithOneReplicaSet();
        TopologyDelta d = model.apply(ObjectChange.delete("ReplicaSet", replicaSet("shop", "web-1a", "web", 1, 2, 2)));

        assertThat(d.removed()).containsExactly(id("ReplicaSet", "web-1a"));
        assertThat(d.edgesRemoved()).containsExactlyInAnyOrder(edge("Deployment", "web", "ReplicaSet", "web-1a", EdgeType.OWNS),
                edge("ReplicaSet", "web-1a", "Pod", "web-1a-x", EdgeType.OWNS), edge("ReplicaSet", "web-1a", "Pod", "web-1a-y", EdgeType.OWNS));
        assertThat(model.isContained(id("Pod", "web-1a-x"))).isFalse();

        TopologyDelta pod = model.apply(ObjectChange.delete("Pod", pod("shop", "web-1a-x", "ReplicaSet", "web-1a", "Running", true, "n1")));
        assertThat(pod.removed()).containsExactly(id("Pod", "web-1a-x"));
        assertThat(pod.regrouped()).contains(id("ReplicaSet", "web-1a"), ElementId.of("Node", "", "n1"));
    }

    @Test
    void objectsOfOtherNamespacesAreLeftOutAndAllNamespacesTakesThemAll() {
        model.apply(up("Deployment", deployment("other", "web", 1, spec("web"))));
        assertThat(model.size()).isZero();

        TopologyModel all = new TopologyModel(null);
        all.apply(List.of(up("Deployment", deployment("other", "web", 1, spec("web"))), up("Deployment", deployment("shop", "web", 1, spec("web")))));
        assertThat(all.elements()).extracting(TopologyElement::id).containsExactly(ElementId.of("Deployment", "other", "web"), id("Deployment", "web"));
    }

    @Test
    void draftsShowBesideLiveElementsWithDraftEdgesAndCannotTakeALiveName() {
        webWithOneReplicaSet();
        TopologyDelta d = model.putDraft(TopologyElement.draft(id("Service", "web"), "new", null));
        assertThat(d.added()).singleElement().satisfies(e -> assertThat(e.draft()).isTrue());
        TopologyDelta edge = model.putDraftEdge(edge("Service", "web", "Deployment", "web", EdgeType.SELECTS));
        assertThat(edge.edgesAdded()).hasSize(1);

        assertThatThrownBy(() -> model.putDraft(TopologyElement.draft(id("Deployment", "web"), "", null)))
                .hasMessage("element Deployment/shop/web exists in the cluster: a draft must have a name of its own");
        assertThat(model.removeDraft(id("Service", "web")).edgesRemoved()).hasSize(1);
        assertThat(model.contains(id("Service", "web"))).isFalse();
    }
}
