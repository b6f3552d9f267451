package dev.berth.core.api.patch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;
import org.junit.jupiter.api.Test;

import static dev.berth.core.api.patch.JsonSupport.json;
import static dev.berth.core.api.patch.JsonSupport.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonMergePatchTest {

    @Test
    void scalePatchFromKubectlSetsReplicasAndKeepsTheRest() {
        ObjectNode deployment = obj("{'metadata':{'name':'web'},'spec':{'replicas':1,'selector':{'matchLabels':{'app':'web'}}}}");

        ObjectNode result = JsonMergePatch.apply(deployment, json("{'spec':{'replicas':3}}"));

        assertThat(result).isEqualTo(obj("{'metadata':{'name':'web'},'spec':{'replicas':3,'selector':{'matchLabels':{'app':'web'}}}}"));
    }

    @Test
    void nullDeletesKeyAndArraysAreReplaced() {
        ObjectNode target = obj("{'metadata':{'labels':{'a':'1','b':'2'}},'spec':{'args':['x','y']}}");

        ObjectNode result = JsonMergePatch.apply(target, json("{'metadata':{'labels':{'a':null,'c':'3'}},'spec':{'args':['z']}}"));

        assertThat(result).isEqualTo(obj("{'metadata':{'labels':{'b':'2','c':'3'}},'spec':{'args':['z']}}"));
    }

    @Test
    void objectReplacesScalarAndNestedNullsInNewObjectsAreDropped() {
        ObjectNode result = JsonMergePatch.apply(obj("{'a':1}"), json("{'a':{'b':null,'c':2}}"));

        assertThat(result).isEqualTo(obj("{'a':{'c':2}}"));
    }

    @Test
    void neverChangesItsInputs() {
        ObjectNode target = obj("{'a':{'b':1}}");
        ObjectNode patch = obj("{'a':{'b':2,'c':null}}");

        JsonMergePatch.apply(target, patch);

        assertThat(target).isEqualTo(obj("{'a':{'b':1}}"));
        assertThat(patch).isEqualTo(obj("{'a':{'b':2,'c':null}}"));
    }

    @Test
    void rejectsPatchThatIsNotAnObjectWithBadRequest() {
        assertThatThrownBy(() -> JsonMergePatch.apply(obj("{}"), json("[1]")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("must be a JSON object");
                });
    }
}
