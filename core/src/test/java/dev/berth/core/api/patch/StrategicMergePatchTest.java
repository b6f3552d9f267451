package dev.berth.core.api.patch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

import static dev.berth.core.api.patch.JsonSupport.json;
import static dev.berth.core.api.patch.JsonSupport.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StrategicMergePatchTest {
    private static final PatchSchema DEPLOYMENT = PatchSchema.forType(Deployment.class);
    private static final PatchSchema POD = PatchSchema.forType(Pod.class);

    private static ObjectNode deployment() {
        return obj("""
                {'apiVersion':'apps/v1','kind':'Deployment',
                 'metadata':{'name':'web','namespace':'default','finalizers':['a','b']},
                 'spec':{'replicas':1,'selector':{'matchLabels':{'app':'web'}},
                  'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':'25%','maxUnavailable':'25%'}},
                  'template':{'metadata':{'labels':{'app':'web'}},
                   'spec':{'containers':[
                     {'name':'web','image':'nginx:1.25','ports':[{'containerPort':80,'protocol':'TCP'}],
                      'env':[{'name':'A','value':'1'},{'name':'B','value':'2'}]},
                     {'name':'sidecar','image':'busybox','args':['sleep','1d']}],
                    'tolerations':[{'key':'k1','operator':'Exists'}]}}}}""");
    }

    @Test
    void kubectlSetImageChangesOnlyTheNamedContainer() {
        var patch = json("{'spec':{'template':{'spec':{'containers':[{'image':'nginx:1.27','name':'web'}]}}}}");

        ObjectNode result = StrategicMergePatch.apply(deployment(), patch, DEPLOYMENT);

        assertThat(result.at("/spec/template/spec/containers/0/image").asText()).isEqualTo("nginx:1.27");
        assertThat(result.at("/spec/template/spec/containers/0/env").size()).isEqualTo(2);
        assertThat(result.at("/spec/template/spec/containers/1")).isEqualTo(deployment().at("/spec/template/spec/containers/1"));
    }

    @Test
    void kubectlApplyOfExistingDeploymentKeepsSetElementOrderAndUpdatesLastApplied() {
        // the body kubectl 1.32 sends when the applied manifest swaps the containers and bumps an image
        var patch = json("""
                {'metadata':{'annotations':{'kubectl.kubernetes.io/last-applied-configuration':'{}\\n'}},
                 'spec':{'template':{'spec':{
                   '$setElementOrder/containers':[{'name':'sidecar'},{'name':'web'}],
                   'containers':[{'image':'nginx:1.27','name':'web'}]}}}}""");

        ObjectNode result = StrategicMergePatch.apply(deployment(), patch, DEPLOYMENT);

        assertThat(result.at("/spec/template/spec/containers/0/name").asText()).isEqualTo("sidecar");
        assertThat(result.at("/spec/template/spec/containers/1/name").asText()).isEqualTo("web");
        assertThat(result.at("/spec/template/spec/containers/1/image").asText()).isEqualTo("nginx:1.27");
        assertThat(result.at("/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration").asText()).isEqualTo("{}\n");
        assertThat(result.toString()).doesNotContain("$setElementOrder");
    }

    @Test
    void kubectlApplyDeletesContainerRemovedFromManifest() {
        var patch = json("""
                {'spec':{'template':{'spec':{'$setElementOrder/containers':[{'name':'web'}],
                   'containers':[{'$patch':'delete','name':'sidecar'}]}}}}""");

        ObjectNode result = StrategicMergePatch.apply(deployment(), patch, DEPLOYMENT);

        assertThat(result.at("/spec/template/spec/containers").size()).isEqualTo(1);
        assertThat(result.at("/spec/template/spec/containers/0/name").asText()).isEqualTo("web");
    }

    @Test
    void serverAddedItemsKeepTheirPlaceAroundTheOrderedOnes() {
        ObjectNode pod = obj("{'spec':{'containers':[{'name':'a'},{'name':'injected'},{'name':'b'}]}}");
        var patch = json("{'spec':{'$setElementOrder/containers':[{'name':'a'},{'name':'b'},{'name':'c'}],'containers':[{'name':'c'}]}}");

        ObjectNode result = StrategicMergePatch.apply(pod, patch, POD);

        assertThat(result.at("/spec/containers").findValuesAsText("name")).containsExactly("a", "injected", "b", "c");
    }

    @Test
    void rolloutRestartAddsTemplateAnnotation() {
        var patch = json("{'spec':{'template':{'metadata':{'annotations':{'kubectl.kubernetes.io/restartedAt':'2026-11-23T17:00:00Z'}}}}}");

        ObjectNode result = StrategicMergePatch.apply(deployment(), patch, DEPLOYMENT);

        assertThat(result.at("/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt").asText())
                .isEqualTo("2026-11-23T17:00:00Z");
        assertThat(result.at("/spec/template/metadata/labels/app").asText()).isEqualTo("web");
    }

    @Test
    void editDeletesEnvEntryByNameAndAddsPortByContainerPort() {
        var patch = json("""
                {'spec':{'template':{'spec':{'containers':[{'name':'web',
                   'env':[{'$patch':'delete','name':'A'},{'name':'C','value':'3'}],
                   'ports':[{'containerPort':80,'name':'http'},{'containerPort':443}]}]}}}}""");

        ObjectNode result = StrategicMergePatch.apply(deployment(), patch, DEPLOYMENT);

        ObjectNode web = (ObjectNode) result.at("/spec/template/spec/containers/0");
        assertThat(web.get("env")).isEqualTo(json("[{'name':'B','value':'2'},{'name':'C','value':'3'}]"));
        assertThat(web.get("ports")).isEqualTo(json("[{'containerPort':80,'protocol':'TCP','name':'http'},{'containerPort':443}]"));
    }

    @Test
    void atomicListsSuchAsTolerationsAndArgsAreReplaced() {
        var patch = json("""
                {'spec':{'template':{'spec':{'tolerations':[{'key':'k2','operator':'Exists'}],
                   'containers':[{'name':'sidecar','args':['sleep','2d']}]}}}}""");

        ObjectNode result = StrategicMergePatch.apply(deployment(), patch, DEPLOYMENT);

        assertThat(result.at("/spec/template/spec/tolerations")).isEqualTo(json("[{'key':'k2','operator':'Exists'}]"));
        assertThat(result.at("/spec/template/spec/containers/1/args")).isEqualTo(json("['sleep','2d']"));
    }

    @Test
    void finalizersMergeAsSetAndDeleteFromPrimitiveListRemovesValues() {
        var patch = json("""
                {'metadata':{'$setElementOrder/finalizers':['b','c'],'$deleteFromPrimitiveList/finalizers':['a'],
                  'finalizers':['c','b']}}""");

        ObjectNode result = StrategicMergePatch.apply(deployment(), patch, DEPLOYMENT);

        assertThat(result.at("/metadata/finalizers")).isEqualTo(json("['b','c']"));
    }

    @Test
    void retainKeysClearsTheOtherMembersOfAUnion() {
        var patch = json("{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate'}}}");

        ObjectNode result = StrategicMergePatch.apply(deployment(), patch, DEPLOYMENT);

        assertThat(result.at("/spec/strategy")).isEqualTo(json("{'type':'Recreate'}"));
    }

    @Test
    void patchSettingAKeyOutsideRetainKeysIsUnprocessable() {
        var patch = json("{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate','rollingUpdate':{'maxSurge':1}}}}");

        assertThatThrownBy(() -> StrategicMergePatch.apply(deployment(), patch, DEPLOYMENT))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(422))
                .hasMessageContaining("rollingUpdate");
    }

    @Test
    void patchReplaceDirectiveReplacesAMapAndAList() {
        var patch = json("""
                {'spec':{'selector':{'$patch':'replace','matchLabels':{'tier':'front'}},
                  'template':{'spec':{'containers':[{'$patch':'replace'},{'name':'only','image':'x'}]}}}}""");

        ObjectNode result = StrategicMergePatch.apply(deployment(), patch, DEPLOYMENT);

        assertThat(result.at("/spec/selector")).isEqualTo(json("{'matchLabels':{'tier':'front'}}"));
        assertThat(result.at("/spec/template/spec/containers")).isEqualTo(json("[{'name':'only','image':'x'}]"));
    }

    @Test
    void nullDeletesAKeyAndNullsForAbsentKeysAreIgnored() {
        var patch = json("{'spec':{'replicas':null,'paused':null,'template':{'spec':{'containers':[{'name':'new','image':'x','tty':null}]}}}}");

        ObjectNode result = StrategicMergePatch.apply(deployment(), patch, DEPLOYMENT);

        assertThat(result.at("/spec").has("replicas")).isFalse();
        assertThat(result.at("/spec").has("paused")).isFalse();
        assertThat(result.at("/spec/template/spec/containers/2")).isEqualTo(json("{'name':'new','image':'x'}"));
    }

    @Test
    void servicePortsMergeByPort() {
        ObjectNode svc = obj("{'spec':{'ports':[{'port':80,'targetPort':8080,'protocol':'TCP'},{'port':443,'targetPort':8443}]}}");

        ObjectNode result = StrategicMergePatch.apply(svc, json("{'spec':{'ports':[{'port':443,'targetPort':9443}]}}"),
                PatchSchema.forType(Service.class));

        assertThat(result.at("/spec/ports/0/targetPort").asInt()).isEqualTo(8080);
        assertThat(result.at("/spec/ports/1/targetPort").asInt()).isEqualTo(9443);
    }

    @Test
    void podConditionsMergeByTypeAndOwnerReferencesByUid() {
        ObjectNode pod = obj("""
                {'metadata':{'ownerReferences':[{'uid':'u1','name':'rs1'}]},
                 'status':{'conditions':[{'type':'Ready','status':'False'},{'type':'PodScheduled','status':'True'}]}}""");

        ObjectNode result = StrategicMergePatch.apply(pod, json("""
                {'metadata':{'ownerReferences':[{'uid':'u2','name':'rs2'}]},
                 'status':{'conditions':[{'type':'Ready','status':'True'}]}}"""), POD);

        assertThat(result.at("/metadata/ownerReferences").findValuesAsText("uid")).containsExactly("u1", "u2");
        assertThat(result.at("/status/conditions")).isEqualTo(json("[{'type':'Ready','status':'True'},{'type':'PodScheduled','status':'True'}]"));
    }

    @Test
    void listItemWithoutItsMergeKeyIsBadRequest() {
        assertThatThrownBy(() -> StrategicMergePatch.apply(deployment(),
                json("{'spec':{'template':{'spec':{'containers':[{'image':'x'}]}}}}"), DEPLOYMENT))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400))
                .hasMessageContaining("does not contain declared merge key: name");
    }

    @Test
    void unknownDirectiveIsBadRequest() {
        assertThatThrownBy(() -> StrategicMergePatch.apply(deployment(), json("{'spec':{'$patch':'frob'}}"), DEPLOYMENT))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
    }

    @Test
    void customResourcesAreUnsupportedMediaTypeAsKubernetesAnswers() {
        assertThatThrownBy(() -> StrategicMergePatch.apply(obj("{}"), json("{}"), PatchSchema.fromOpenApi(json("{'type':'object'}"))))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(415);
                    assertThat(e.reason()).isEqualTo("UnsupportedMediaType");
                    assertThat(e.getMessage()).isEqualTo("the body of the request was in an unknown format - accepted media types "
                            + "include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
                });
    }

    @Test
    void neverChangesItsInputs() {
        ObjectNode before = deployment();
        var patch = json("{'spec':{'template':{'spec':{'containers':[{'$patch':'delete','name':'sidecar'}]}}}}");
        String patchText = patch.toString();

        StrategicMergePatch.apply(before, patch, DEPLOYMENT);

        assertThat(before).isEqualTo(deployment());
        assertThat(patch.toString()).isEqualTo(patchText);
    }

    @Test
    void volumeSourceSwitchUsesRetainKeysInsideTheListItem() {
        ObjectNode pod = obj("{'spec':{'volumes':[{'name':'data','emptyDir':{}},{'name':'tmp','emptyDir':{}}]}}");
        // what kubectl apply sends when a volume changes from emptyDir to configMap
        var patch = json("""
                {'spec':{'$setElementOrder/volumes':[{'name':'data'},{'name':'tmp'}],
                  'volumes':[{'$retainKeys':['configMap','name'],'configMap':{'name':'cfg'},'name':'data'}]}}""");

        ObjectNode result = StrategicMergePatch.apply(pod, patch, POD);

        assertThat(result.at("/spec/volumes")).isEqualTo(json("[{'name':'data','configMap':{'name':'cfg'}},{'name':'tmp','emptyDir':{}}]"));
    }

    @Test
    void hostAliasesMergeByIpAndImagePullSecretsByName() {
        ObjectNode pod = obj("{'spec':{'hostAliases':[{'ip':'10.0.0.1','hostnames':['a']}],'imagePullSecrets':[{'name':'r1'}]}}");

        ObjectNode result = StrategicMergePatch.apply(pod, json("""
                {'spec':{'hostAliases':[{'ip':'10.0.0.2','hostnames':['b']}],'imagePullSecrets':[{'name':'r2'}]}}"""), POD);

        assertThat(result.at("/spec/hostAliases").findValuesAsText("ip")).containsExactly("10.0.0.1", "10.0.0.2");
        assertThat(result.at("/spec/imagePullSecrets").findValuesAsText("name")).containsExactly("r1", "r2");
    }
}
