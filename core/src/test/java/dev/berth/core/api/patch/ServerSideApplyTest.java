package dev.berth.core.api.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.api.FieldError;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static dev.berth.core.api.patch.JsonSupport.json;
import static dev.berth.core.api.patch.JsonSupport.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerSideApplyTest {
    private static final ApplySchema DEPLOYMENT = ApplySchema.forType(Deployment.class);
    private static final Instant T1 = Instant.parse("2026-11-23T10:00:00Z");
    private static final Instant T2 = Instant.parse("2026-11-23T11:00:00.500Z");
    private static final Instant T3 = Instant.parse("2026-11-23T12:00:00Z");

    private static ObjectNode config(int replicas, String image) {
        return obj("""
                {'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','labels':{'app':'web'}},
                 'spec':{'replicas':%d,'selector':{'matchLabels':{'app':'web'}},
                  'template':{'metadata':{'labels':{'app':'web'}},
                   'spec':{'containers':[{'name':'web','image':'%s','ports':[{'containerPort':80}]}]}}}}"""
                .formatted(replicas, image));
    }

    private static JsonNode managedFields(ObjectNode obj) {
        return obj.at("/metadata/managedFields");
    }

    private static JsonNode entry(ObjectNode obj, String manager) {
        for (JsonNode e : managedFields(obj)) {
            if (e.get("manager").asText().equals(manager)) {
                return e;
            }
        }
        throw new AssertionError("no managedFields entry for " + manager + " in " + managedFields(obj));
    }

    @Test
    void createByApplyOwnsExactlyTheAppliedFieldsAsKubernetesWritesThem() {
        ObjectNode created = ServerSideApply.apply(null, config(2, "nginx:1.25"), "kubectl", false, DEPLOYMENT, T1);

        assertThat(created.get("apiVersion").asText()).isEqualTo("apps/v1");
        assertThat(created.get("kind").asText()).isEqualTo("Deployment");
        assertThat(created.at("/metadata/name").asText()).isEqualTo("web");
        assertThat(created.at("/spec/replicas").asInt()).isEqualTo(2);
        assertThat(created.at("/spec/template/spec/containers/0/ports/0")).isEqualTo(json("{'containerPort':80}"));
        assertThat(managedFields(created)).isEqualTo(json("""
                [{'manager':'kubectl','operation':'Apply','apiVersion':'apps/v1','time':'2026-11-23T10:00:00Z',
                  'fieldsType':'FieldsV1','fieldsV1':{
                   'f:metadata':{'f:labels':{'f:app':{}}},
                   'f:spec':{'f:replicas':{},'f:selector':{},
                    'f:template':{'f:metadata':{'f:labels':{'f:app':{}}},
                     'f:spec':{'f:containers':{'k:{\\"name\\":\\"web\\"}':{'.':{},'f:image':{},'f:name':{},
                       'f:ports':{'k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}':{'.':{},'f:containerPort':{}}}}}}}}}}]"""));
        // serialisation order is Kubernetes' too: fields sorted, "." first
        assertThat(managedFields(created).get(0).get("fieldsV1").toString())
                .startsWith("{\"f:metadata\":{\"f:labels\":{\"f:app\":{}}},\"f:spec\":{\"f:replicas\":{},\"f:selector\":{},");
    }

    @Test
    void reapplyingTheSameConfigurationChangesNothingNotEvenTheTime() {
        ObjectNode live = ServerSideApply.apply(null, config(2, "nginx:1.25"), "kubectl", false, DEPLOYMENT, T1);

        ObjectNode again = ServerSideApply.apply(live, config(2, "nginx:1.25"), "kubectl", false, DEPLOYMENT, T2);

        assertThat(again).isEqualTo(live);
        assertThat(again.toString()).isEqualTo(live.toString());
    }

    @Test
    void twoManagersApplyingTheSameValueBothOwnItWithoutConflict() {
        ObjectNode live = ServerSideApply.apply(null, config(2, "nginx:1.25"), "kubectl", false, DEPLOYMENT, T1);
        ObjectNode scaler = obj("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'replicas':2}}");

        ObjectNode result = ServerSideApply.apply(live, scaler, "scaler", false, DEPLOYMENT, T2);

        assertThat(entry(result, "kubectl").at("/fieldsV1/f:spec/f:replicas").isObject()).isTrue();
        assertThat(entry(result, "scaler").get("fieldsV1")).isEqualTo(json("{'f:spec':{'f:replicas':{}}}"));
        // the object did not change, so Kubernetes records no time for the new owner
        assertThat(entry(result, "scaler").has("time")).isFalse();
        assertThat(entry(result, "kubectl").get("time").asText()).isEqualTo("2026-11-23T10:00:00Z");
    }

    @Test
    void changingAFieldAnotherManagerOwnsIsAConflictAsKubernetesReportsIt() {
        ObjectNode csa = ServerSideApply.recordUpdate(null, config(1, "nginx:1.25"), "kubectl-client-side-apply",
                "apps/v1", DEPLOYMENT, T1);

        assertThatThrownBy(() -> ServerSideApply.apply(csa, config(3, "nginx:1.25"), "kubectl", false, DEPLOYMENT, T2))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(409);
                    assertThat(e.reason()).isEqualTo("Conflict");
                    assertThat(e.getMessage()).isEqualTo(
                            "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: .spec.replicas");
                    assertThat(e.causes()).containsExactly(new FieldError("FieldManagerConflict", ".spec.replicas",
                            "conflict with \"kubectl-client-side-apply\" using apps/v1", null));
                });
    }

    @Test
    void forceTakesOwnershipOfTheConflictingFieldsOnly() {
        ObjectNode csa = ServerSideApply.recordUpdate(null, config(1, "nginx:1.25"), "kubectl-client-side-apply",
                "apps/v1", DEPLOYMENT, T1);

        ObjectNode forced = ServerSideApply.apply(csa, config(3, "nginx:1.25"), "kubectl", true, DEPLOYMENT, T2);

        assertThat(forced.at("/spec/replicas").asInt()).isEqualTo(3);
        assertThat(entry(forced, "kubectl").at("/fieldsV1/f:spec").has("f:replicas")).isTrue();
        assertThat(entry(forced, "kubectl").get("time").asText()).isEqualTo("2026-11-23T11:00:00Z");
        JsonNode csaFields = entry(forced, "kubectl-client-side-apply").get("fieldsV1");
        assertThat(csaFields.at("/f:spec").has("f:replicas")).isFalse();
        // the image it set to the same value stays shared
        assertThat(csaFields.at("/f:spec/f:template/f:spec/f:containers").toString()).contains("f:image");
        // Apply entries sort before Update entries
        assertThat(managedFields(forced).findValuesAsText("operation")).containsExactly("Apply", "Update");
    }

    @Test
    void fieldsNoLongerAppliedAreRemovedUnlessSomeoneElseOwnsThem() {
        ObjectNode first = config(2, "nginx:1.25");
        ((ObjectNode) first.at("/metadata/labels")).put("tier", "front");
        ((ObjectNode) first.at("/metadata")).putObject("annotations").put("team", "a").put("note", "x");
        ((com.fasterxml.jackson.databind.node.ArrayNode) first.at("/spec/template/spec/containers"))
                .add(json("{'name':'sidecar','image':'busybox'}"));
        ObjectNode live = ServerSideApply.apply(null, first, "kubectl", false, DEPLOYMENT, T1);
        // another manager shares the note annotation
        live = ServerSideApply.apply(live, obj("""
                {'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','annotations':{'note':'x'}}}"""),
                "annotator", false, DEPLOYMENT, T2);

        ObjectNode second = config(2, "nginx:1.25");
        ObjectNode result = ServerSideApply.apply(live, second, "kubectl", false, DEPLOYMENT, T3);

        assertThat(result.at("/metadata/labels")).isEqualTo(json("{'app':'web'}"));
        assertThat(result.at("/metadata/annotations")).isEqualTo(json("{'note':'x'}"));
        assertThat(result.at("/spec/template/spec/containers").findValuesAsText("name")).containsExactly("web");
        assertThat(entry(result, "kubectl").toString()).doesNotContain("sidecar").doesNotContain("tier");
    }

    @Test
    void updateMovesChangedFieldsToItsManagerAndALaterApplyConflictsWithIt() {
        ObjectNode live = ServerSideApply.apply(null, config(2, "nginx:1.25"), "kubectl", false, DEPLOYMENT, T1);
        // what `kubectl set image` produces through a strategic merge patch
        ObjectNode patched = StrategicMergePatch.apply(live,
                json("{'spec':{'template':{'spec':{'containers':[{'image':'nginx:1.27','name':'web'}]}}}}"),
                PatchSchema.forType(Deployment.class));

        ObjectNode updated = ServerSideApply.recordUpdate(live, patched, "kubectl-set", "apps/v1", DEPLOYMENT, T2);

        assertThat(entry(updated, "kubectl-set")).isEqualTo(json("""
                {'manager':'kubectl-set','operation':'Update','apiVersion':'apps/v1','time':'2026-11-23T11:00:00Z',
                 'fieldsType':'FieldsV1','fieldsV1':{'f:spec':{'f:template':{'f:spec':{'f:containers':{
                   'k:{\\"name\\":\\"web\\"}':{'f:image':{}}}}}}}}"""));
        assertThat(entry(updated, "kubectl").toString()).doesNotContain("f:image");

        assertThatThrownBy(() -> ServerSideApply.apply(updated, config(2, "nginx:1.25"), "kubectl", false, DEPLOYMENT, T3))
                .hasMessage("Apply failed with 1 conflict: conflict with \"kubectl-set\" using apps/v1: "
                        + ".spec.template.spec.containers[name=\"web\"].image");
    }

    @Test
    void severalConflictsAreGroupedByManager() {
        ObjectNode live = ServerSideApply.recordUpdate(null, config(1, "nginx:1.25"), "kubectl-client-side-apply",
                "apps/v1", DEPLOYMENT, T1);

        assertThatThrownBy(() -> ServerSideApply.apply(live, config(3, "nginx:1.27"), "kubectl", false, DEPLOYMENT, T2))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("""
                            Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:
                            - .spec.replicas
                            - .spec.template.spec.containers[name="web"].image""");
                    assertThat(e.causes()).extracting(FieldError::field)
                            .containsExactly(".spec.replicas", ".spec.template.spec.containers[name=\"web\"].image");
                });
    }

    @Test
    void createRecordsTheCreatorLikeKubernetesWithDotsForStructsThatAppeared() {
        ObjectNode created = ServerSideApply.recordUpdate(null, obj("""
                {'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','labels':{'app':'web'}},
                 'spec':{'replicas':1,'selector':{'matchLabels':{'app':'web'}},
                  'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':'25%'}},
                  'template':{'metadata':{'labels':{'app':'web'}},
                   'spec':{'containers':[{'name':'web','image':'nginx','resources':{}}]}}}}"""),
                "kubectl-create", "apps/v1", DEPLOYMENT, T1);

        assertThat(entry(created, "kubectl-create").get("fieldsV1")).isEqualTo(json("""
                {'f:metadata':{'f:labels':{'.':{},'f:app':{}}},
                 'f:spec':{'f:replicas':{},'f:selector':{},
                  'f:strategy':{'f:rollingUpdate':{'.':{},'f:maxSurge':{}},'f:type':{}},
                  'f:template':{'f:metadata':{'f:labels':{'.':{},'f:app':{}}},
                   'f:spec':{'f:containers':{'k:{\\"name\\":\\"web\\"}':{'.':{},'f:image':{},'f:name':{},'f:resources':{}}}}}}}"""));
    }

    @Test
    void recordUpdateWithoutChangesKeepsEntriesAndTimes() {
        ObjectNode live = ServerSideApply.recordUpdate(null, config(1, "nginx:1.25"), "kubectl-client-side-apply",
                "apps/v1", DEPLOYMENT, T1);

        ObjectNode again = ServerSideApply.recordUpdate(live, live.deepCopy(), "kubectl-edit", "apps/v1", DEPLOYMENT, T2);

        assertThat(again).isEqualTo(live);
    }

    @Test
    void updatesOfUntrackedObjectsStayUntrackedAndTheFirstApplyConflictsWithTheirWriter() {
        ObjectNode untracked = config(1, "nginx:1.25");
        ObjectNode changed = config(2, "nginx:1.25");

        ObjectNode updated = ServerSideApply.recordUpdate(untracked, changed, "kubectl-edit", "apps/v1", DEPLOYMENT, T1);
        assertThat(updated.at("/metadata").has("managedFields")).isFalse();

        assertThatThrownBy(() -> ServerSideApply.apply(updated, config(3, "nginx:1.25"), "kubectl", false, DEPLOYMENT, T2))
                .hasMessage("Apply failed with 1 conflict: conflict with \"before-first-apply\" using apps/v1: .spec.replicas");
        ObjectNode forced = ServerSideApply.apply(updated, config(3, "nginx:1.25"), "kubectl", true, DEPLOYMENT, T2);
        assertThat(managedFields(forced).findValuesAsText("manager")).containsExactly("kubectl", "before-first-apply");
    }

    @Test
    void explicitEmptyManagedFieldsInAnUpdateResetTracking() {
        ObjectNode live = ServerSideApply.apply(null, config(2, "nginx:1.25"), "kubectl", false, DEPLOYMENT, T1);
        ObjectNode reset = live.deepCopy();
        ((ObjectNode) reset.get("metadata")).putArray("managedFields");

        ObjectNode result = ServerSideApply.recordUpdate(live, reset, "kubectl-edit", "apps/v1", DEPLOYMENT, T2);

        assertThat(result.at("/metadata").has("managedFields")).isFalse();
    }

    @Test
    void statusIsIgnoredByMainResourceApplyAndOwnedSeparatelyThroughTheSubresource() {
        ObjectNode live = ServerSideApply.apply(null, config(2, "nginx:1.25"), "kubectl", false, DEPLOYMENT, T1);
        live.putObject("status").put("replicas", 1);
        ObjectNode withStatus = config(2, "nginx:1.25");
        withStatus.putObject("status").put("replicas", 7);

        ObjectNode applied = ServerSideApply.apply(live, withStatus, "kubectl", false, DEPLOYMENT, T2);
        assertThat(applied.at("/status/replicas").asInt()).isEqualTo(1);
        assertThat(entry(applied, "kubectl").get("fieldsV1").has("f:status")).isFalse();

        ObjectNode after = applied.deepCopy();
        ((ObjectNode) after.get("status")).put("replicas", 2).put("readyReplicas", 2);
        ObjectNode updated = ServerSideApply.recordUpdate(applied, after, "kube-controller-manager", "apps/v1", "status",
                DEPLOYMENT, T3);
        assertThat(entry(updated, "kube-controller-manager")).isEqualTo(json("""
                {'manager':'kube-controller-manager','operation':'Update','apiVersion':'apps/v1','time':'2026-11-23T12:00:00Z',
                 'fieldsType':'FieldsV1','fieldsV1':{'f:status':{'f:readyReplicas':{},'f:replicas':{}}},'subresource':'status'}"""));
    }

    @Test
    void keyedListsMergeItemsOfSeveralManagers() {
        ObjectNode live = ServerSideApply.apply(null, config(2, "nginx:1.25"), "kubectl", false, DEPLOYMENT, T1);
        ObjectNode injector = obj("""
                {'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},
                 'spec':{'template':{'spec':{'containers':[{'name':'proxy','image':'envoy'},
                   {'name':'web','env':[{'name':'PROXY','value':'on'}]}]}}}}""");

        ObjectNode result = ServerSideApply.apply(live, injector, "injector", false, DEPLOYMENT, T2);

        assertThat(result.at("/spec/template/spec/containers")).isEqualTo(json("""
                [{'name':'proxy','image':'envoy'},
                 {'name':'web','image':'nginx:1.25','ports':[{'containerPort':80}],'env':[{'name':'PROXY','value':'on'}]}]"""));
        // the first applier keeps its container when it re-applies
        ObjectNode reapplied = ServerSideApply.apply(result, config(2, "nginx:1.25"), "kubectl", false, DEPLOYMENT, T3);
        assertThat(reapplied).isEqualTo(result);
    }

    @Test
    void customResourceListsFollowTheirOpenApiListType() {
        ApplySchema crd = ApplySchema.fromOpenApi(json("""
                {'type':'object','properties':{'spec':{'type':'object','properties':{
                  'routes':{'type':'array','x-kubernetes-list-type':'map','x-kubernetes-list-map-keys':['host'],
                            'items':{'type':'object','properties':{'host':{'type':'string'},'port':{'type':'integer'}}}},
                  'tags':{'type':'array','x-kubernetes-list-type':'set','items':{'type':'string'}},
                  'args':{'type':'array','items':{'type':'string'}}}}}}"""));
        ObjectNode a = obj("{'apiVersion':'x.dev/v1','kind':'Site','metadata':{'name':'s'},'spec':{'routes':[{'host':'a','port':1}],'tags':['t1'],'args':['x']}}");
        ObjectNode b = obj("{'apiVersion':'x.dev/v1','kind':'Site','metadata':{'name':'s'},'spec':{'routes':[{'host':'b','port':2}],'tags':['t2']}}");

        ObjectNode live = ServerSideApply.apply(null, a, "alice", false, crd, T1);
        ObjectNode result = ServerSideApply.apply(live, b, "bob", false, crd, T2);

        assertThat(result.at("/spec")).isEqualTo(json("{'routes':[{'host':'a','port':1},{'host':'b','port':2}],'tags':['t1','t2'],'args':['x']}"));
        assertThat(entry(result, "bob").get("fieldsV1")).isEqualTo(json("""
                {'f:spec':{'f:routes':{'k:{\\"host\\":\\"b\\"}':{'.':{},'f:host':{},'f:port':{}}},'f:tags':{'v:\\"t2\\"':{}}}}"""));
        assertThat(entry(result, "alice").at("/fieldsV1/f:spec/f:args")).isEqualTo(json("{}"));
    }

    @Test
    void managedFieldsRoundTripThroughFieldsV1() {
        JsonNode fieldsV1 = json("""
                {'f:metadata':{'f:labels':{'.':{},'f:app':{}}},'f:spec':{'f:ports':{'k:{\\"port\\":80,\\"protocol\\":\\"TCP\\"}':{'.':{},'f:port':{}}},
                 'f:finalizers':{'v:\\"a\\"':{}},'f:args':{'i:0':{}}}}""");

        FieldSet set = FieldSet.fromFieldsV1(fieldsV1);

        assertThat(set.toFieldsV1()).isEqualTo(fieldsV1);
        assertThat(set.paths()).extracting(FieldSet::format).containsExactly(
                ".metadata.labels", ".metadata.labels.app", ".spec.args[0]", ".spec.finalizers[=\"a\"]",
                ".spec.ports[port=80,protocol=\"TCP\"]", ".spec.ports[port=80,protocol=\"TCP\"].port");
    }

    @Test
    void applyNeverChangesItsInputs() {
        ObjectNode live = ServerSideApply.apply(null, config(2, "nginx:1.25"), "kubectl", false, DEPLOYMENT, T1);
        ObjectNode liveCopy = live.deepCopy();
        ObjectNode cfg = config(4, "nginx:1.26");
        ObjectNode cfgCopy = cfg.deepCopy();

        ServerSideApply.apply(live, cfg, "kubectl", false, DEPLOYMENT, T2);

        assertThat(live).isEqualTo(liveCopy);
        assertThat(cfg).isEqualTo(cfgCopy);
    }

    @Test
    void applyWithoutFieldManagerIsBadRequest() {
        assertThatThrownBy(() -> ServerSideApply.apply(null, config(1, "x"), "", false, DEPLOYMENT, T1))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
    }

    @Test
    void managedFieldsAccessorParsesEntries() {
        ObjectNode live = ServerSideApply.apply(null, config(2, "nginx:1.25"), "kubectl", false, DEPLOYMENT, T1);

        List<ManagedFieldsEntry> entries = ServerSideApply.managedFields(live);

        assertThat(entries).hasSize(1);
        assertThat(entries.getFirst().manager()).isEqualTo("kubectl");
        assertThat(entries.getFirst().time()).isEqualTo(T1);
        assertThat(entries.getFirst().fields().contains(List.of(new PathElement.Field("spec"), new PathElement.Field("replicas")))).isTrue();
    }

    @Test
    void duplicateKeysInTheAppliedConfigurationAreInvalidWithStructuredMergeDiffsWords() {
        ObjectNode cfg = obj("""
                {'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','namespace':'default'},
                 'spec':{'template':{'spec':{'containers':[{'name':'c','env':[{'name':'FOO','value':'1'},{'name':'FOO','value':'2'}]}]}}}}""");

        assertThatThrownBy(() -> ServerSideApply.apply(null, cfg, "kubectl", false, DEPLOYMENT, T1))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.getMessage()).isEqualTo("failed to create typed patch object (default/web; apps/v1, Kind=Deployment): "
                            + ".spec.template.spec.containers[name=\"c\"].env: duplicate entries for key [name=\"FOO\"]");
                });
    }

    @Test
    void listItemWithoutItsKeyIsInvalidButAMissingProtocolTakesItsDefault() {
        ObjectNode noName = obj("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'template':{'spec':{'containers':[{'image':'x'}]}}}}");

        assertThatThrownBy(() -> ServerSideApply.apply(null, noName, "kubectl", false, DEPLOYMENT, T1))
                .hasMessageEndingWith(".spec.template.spec.containers: element 0: associative list with keys has an element "
                        + "that omits key field \"name\" (and doesn't have default value)");
        // containerPort 80 without protocol is keyed as TCP (createByApply... shows the key)
        ObjectNode ok = ServerSideApply.apply(null, config(1, "x"), "kubectl", false, DEPLOYMENT, T1);
        assertThat(ok.at("/spec/template/spec/containers/0/ports/0/containerPort").asInt()).isEqualTo(80);
    }

    @Test
    void appliedConfigurationMustNotCarryManagedFields() {
        ObjectNode cfg = config(1, "x");
        ((ObjectNode) cfg.get("metadata")).putArray("managedFields").addObject().put("manager", "me");

        assertThatThrownBy(() -> ServerSideApply.apply(null, cfg, "kubectl", false, DEPLOYMENT, T1))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(400);
                    assertThat(e.getMessage()).isEqualTo("metadata.managedFields must be nil");
                });
    }

    @Test
    void moreThanTenUpdateManagersAreFoldedIntoAncientChanges() {
        ObjectNode live = ServerSideApply.recordUpdate(null, config(1, "x"), "creator", "apps/v1", DEPLOYMENT, T1);
        for (int i = 0; i < 12; i++) {
            ObjectNode after = live.deepCopy();
            ((ObjectNode) after.at("/metadata/labels")).put("l" + i, "v");
            live = ServerSideApply.recordUpdate(live, after, "writer-" + i, "apps/v1", DEPLOYMENT, T1.plusSeconds(60L * (i + 1)));
        }

        List<String> managers = managedFields(live).findValuesAsText("manager");
        assertThat(managers).hasSize(10).contains("ancient-changes", "writer-11").doesNotContain("creator", "writer-0", "writer-1");
        JsonNode ancient = entry(live, "ancient-changes");
        assertThat(ancient.at("/fieldsV1/f:metadata/f:labels").has("f:l0")).isTrue();
        assertThat(ancient.at("/fieldsV1/f:spec").has("f:replicas")).isTrue();
    }

    @Test
    void largeListsApplyWithoutQuadraticBlowup() {
        ObjectNode cfg = config(1, "x");
        var env = ((ObjectNode) cfg.at("/spec/template/spec/containers/0")).putArray("env");
        for (int i = 0; i < 5000; i++) {
            env.addObject().put("name", "VAR_" + i).put("value", "v" + i);
        }
        long start = System.nanoTime();
        ObjectNode live = ServerSideApply.apply(null, cfg, "kubectl", false, DEPLOYMENT, T1);
        ObjectNode again = ServerSideApply.apply(live, cfg, "kubectl", false, DEPLOYMENT, T2);
        ObjectNode other = ServerSideApply.recordUpdate(again, StrategicMergePatch.apply(again, json(
                "{'spec':{'template':{'spec':{'containers':[{'name':'web','env':[{'name':'VAR_4999','value':'changed'}]}]}}}}"),
                PatchSchema.forType(Deployment.class)), "kubectl-edit", "apps/v1", DEPLOYMENT, T3);
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(again).isEqualTo(live);
        assertThat(entry(other, "kubectl-edit").toString()).contains("VAR_4999").doesNotContain("VAR_4998");
        assertThat(millis).as("two applies and an update of 5000 env entries").isLessThan(30_000);
    }

    private static ObjectNode createdByClientSideApply(ObjectNode manifest) {
        ObjectNode withAnnotation = manifest.deepCopy();
        ((ObjectNode) withAnnotation.get("metadata")).putObject("annotations")
                .put(ServerSideApply.LAST_APPLIED, manifest.toString());
        return ServerSideApply.recordUpdate(null, withAnnotation, "kubectl-client-side-apply", "apps/v1", DEPLOYMENT, T1);
    }

    @Test
    void kubectlServerSideApplyTakesOverWhatClientSideApplyLastApplied() {
        ObjectNode live = createdByClientSideApply(config(1, "nginx:1.25"));

        ObjectNode result = ServerSideApply.apply(live, config(3, "nginx:1.25"), "kubectl", false, DEPLOYMENT, T2);

        assertThat(result.at("/spec/replicas").asInt()).isEqualTo(3);
        assertThat(entry(result, "kubectl").at("/fieldsV1/f:spec").has("f:replicas")).isTrue();
        assertThat(json(result.at("/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration").asText()))
                .isEqualTo(config(3, "nginx:1.25"));
        // another manager name gets no such upgrade
        assertThatThrownBy(() -> ServerSideApply.apply(live, config(3, "nginx:1.25"), "my-tool", false, DEPLOYMENT, T2))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(409));
    }

    @Test
    void fieldsChangedSinceTheLastClientSideApplyStillConflict() {
        ObjectNode live = createdByClientSideApply(config(1, "nginx:1.25"));
        ObjectNode scaled = JsonMergePatch.apply(live, json("{'spec':{'replicas':5}}"));
        scaled = ServerSideApply.recordUpdate(live, scaled, "kubectl-scale", "apps/v1", "scale", DEPLOYMENT, T2);

        ObjectNode finalScaled = scaled;
        assertThatThrownBy(() -> ServerSideApply.apply(finalScaled, config(3, "nginx:1.25"), "kubectl", false, DEPLOYMENT, T3))
                .hasMessage("Apply failed with 1 conflict: conflict with \"kubectl-scale\" with subresource \"scale\" using apps/v1: .spec.replicas");
    }

    @Test
    void topologySpreadConstraintsAreKeyedByTopologyKeyAndWhenUnsatisfiable() {
        ObjectNode cfg = obj("""
                {'apiVersion':'v1','kind':'Pod','metadata':{'name':'p'},'spec':{'containers':[{'name':'c','image':'x'}],
                 'topologySpreadConstraints':[{'topologyKey':'zone','whenUnsatisfiable':'DoNotSchedule','maxSkew':1}],
                 'tolerations':[{'key':'k','operator':'Exists'}]}}""");

        ObjectNode pod = ServerSideApply.apply(null, cfg, "kubectl", false,
                ApplySchema.forType(io.fabric8.kubernetes.api.model.Pod.class), T1);

        JsonNode spec = entry(pod, "kubectl").at("/fieldsV1/f:spec");
        assertThat(spec.get("f:topologySpreadConstraints").fieldNames().next())
                .isEqualTo("k:{\"topologyKey\":\"zone\",\"whenUnsatisfiable\":\"DoNotSchedule\"}");
        assertThat(spec.get("f:tolerations")).isEqualTo(json("{}"));
    }
}
