package dev.berth.core.api.patch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;
import org.junit.jupiter.api.Test;

import static dev.berth.core.api.patch.JsonSupport.json;
import static dev.berth.core.api.patch.JsonSupport.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonPatchTest {

    @Test
    void rolloutUndoReplacesTemplateAndAnnotations() {
        ObjectNode deployment = obj("""
                {'metadata':{'name':'web','annotations':{'deployment.kubernetes.io/revision':'2'}},
                 'spec':{'replicas':2,'template':{'metadata':{'labels':{'app':'web'}},
                   'spec':{'containers':[{'name':'web','image':'nginx:1.27'}]}}}}""");
        // what kubectl 1.32 sends for `rollout undo`
        var patch = json("""
                [{'op':'replace','path':'/spec/template','value':{'metadata':{'labels':{'app':'web'}},
                   'spec':{'containers':[{'name':'web','image':'nginx:1.25'}]}}},
                 {'op':'replace','path':'/metadata/annotations','value':{'deployment.kubernetes.io/revision':'1'}}]""");

        ObjectNode result = JsonPatch.apply(deployment, patch);

        assertThat(result.at("/spec/template/spec/containers/0/image").asText()).isEqualTo("nginx:1.25");
        assertThat(result.at("/metadata/annotations")).isEqualTo(json("{'deployment.kubernetes.io/revision':'1'}"));
        assertThat(result.at("/spec/replicas").asInt()).isEqualTo(2);
        assertThat(deployment.at("/spec/template/spec/containers/0/image").asText()).isEqualTo("nginx:1.27");
    }

    @Test
    void addsAtIndexAndAtEndWithDash() {
        ObjectNode result = JsonPatch.apply(obj("{'a':[1,3]}"), json("""
                [{'op':'add','path':'/a/1','value':2},{'op':'add','path':'/a/-','value':4}]"""));

        assertThat(result).isEqualTo(obj("{'a':[1,2,3,4]}"));
    }

    @Test
    void unescapesTildeZeroAndTildeOneInKeys() {
        ObjectNode result = JsonPatch.apply(obj("{'metadata':{'labels':{}}}"), json("""
                [{'op':'add','path':'/metadata/labels/app.kubernetes.io~1name','value':'web'},
                 {'op':'add','path':'/metadata/labels/a~0b','value':'x'}]"""));

        assertThat(result.at("/metadata/labels")).isEqualTo(json("{'app.kubernetes.io/name':'web','a~b':'x'}"));
    }

    @Test
    void removeMoveCopyAndReplaceKeepKeyOrder() {
        ObjectNode result = JsonPatch.apply(obj("{'a':1,'b':2,'c':{'d':3},'e':[1,2]}"), json("""
                [{'op':'replace','path':'/a','value':10},
                 {'op':'move','from':'/c/d','path':'/f'},
                 {'op':'copy','from':'/e','path':'/g'},
                 {'op':'remove','path':'/e/0'},
                 {'op':'remove','path':'/b'}]"""));

        assertThat(result.toString()).isEqualTo(obj("{'a':10,'c':{},'e':[2],'f':3,'g':[1,2]}").toString());
    }

    @Test
    void testOperationPassesOnEqualValueAndFailsWith422() {
        ObjectNode target = obj("{'spec':{'replicas':2}}");
        assertThat(JsonPatch.apply(target, json("[{'op':'test','path':'/spec/replicas','value':2}]"))).isEqualTo(target);

        assertThatThrownBy(() -> JsonPatch.apply(target, json("[{'op':'test','path':'/spec/replicas','value':3}]")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.getMessage()).isEqualTo("testing value /spec/replicas failed: test failed");
                });
    }

    @Test
    void removingMissingPathIsUnprocessableAndLeavesNothingHalfDone() {
        ObjectNode target = obj("{'a':1}");

        assertThatThrownBy(() -> JsonPatch.apply(target, json("""
                [{'op':'replace','path':'/a','value':2},{'op':'remove','path':'/missing'}]""")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.getMessage()).isEqualTo("Unable to remove nonexistent key: missing: missing value");
                });
        assertThat(target).isEqualTo(obj("{'a':1}"));
    }

    @Test
    void addingUnderMissingParentIsUnprocessable() {
        assertThatThrownBy(() -> JsonPatch.apply(obj("{}"), json("[{'op':'add','path':'/a/b','value':1}]")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(422))
                .hasMessageContaining("/a/b");
    }

    @Test
    void indexPastTheEndIsUnprocessable() {
        assertThatThrownBy(() -> JsonPatch.apply(obj("{'a':[1]}"), json("[{'op':'add','path':'/a/5','value':1}]")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(422))
                .hasMessageContaining("invalid index");
    }

    @Test
    void unknownOperationNamesTheKind() {
        assertThatThrownBy(() -> JsonPatch.apply(obj("{}"), json("[{'op':'frob','path':'/a'}]")))
                .hasMessage("Unexpected kind: frob");
    }

    @Test
    void patchThatIsNotAnArrayOfObjectsIsBadRequest() {
        assertThatThrownBy(() -> JsonPatch.apply(obj("{}"), json("{'op':'add'}")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
        assertThatThrownBy(() -> JsonPatch.apply(obj("{}"), json("[1]")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
    }
}
