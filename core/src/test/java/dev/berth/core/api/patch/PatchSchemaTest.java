package dev.berth.core.api.patch;

import dev.berth.core.api.patch.PatchSchema.ListType;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.berth.core.api.patch.JsonSupport.json;
import static org.assertj.core.api.Assertions.assertThat;

class PatchSchemaTest {

    @Test
    void walksFromACronJobDownToItsContainersThroughTheModelTypes() {
        PatchSchema containers = PatchSchema.forType(CronJob.class).field("spec").field("jobTemplate").field("spec")
                .field("template").field("spec").field("containers");

        assertThat(containers.listRule().strategicMergeKey()).isEqualTo("name");
        PatchSchema ports = containers.elements().field("ports");
        assertThat(ports.listRule().strategicMergeKey()).isEqualTo("containerPort");
        assertThat(ports.listRule().applyKeys()).containsExactly("containerPort", "protocol");
        assertThat(containers.elements().field("args").listRule().strategicMerge()).isFalse();
    }

    @Test
    void knowsAtomicListsSetsAndStatusConditions() {
        PatchSchema pod = PatchSchema.forType(Pod.class);

        assertThat(pod.field("spec").field("tolerations").listRule().applyType()).isEqualTo(ListType.ATOMIC);
        assertThat(pod.field("metadata").field("finalizers").listRule().strategicSet()).isTrue();
        assertThat(pod.field("metadata").field("ownerReferences").listRule().applyKeys()).containsExactly("uid");
        assertThat(pod.field("status").field("conditions").listRule().strategicMergeKey()).isEqualTo("type");
        assertThat(PatchSchema.forType(StatefulSet.class).field("status").field("conditions").listRule().applyKeys())
                .containsExactly("type");
        assertThat(PatchSchema.forType(Service.class).field("spec").field("ports").listRule().applyKeys())
                .containsExactly("port", "protocol");
    }

    @Test
    void tellsStructsFromMapsAndAtomicStructs() {
        PatchSchema pod = PatchSchema.forType(Pod.class);

        assertThat(pod.field("metadata").isStruct()).isTrue();
        assertThat(pod.field("metadata").declares("labels")).isTrue();
        assertThat(pod.field("metadata").field("labels").isStruct()).isFalse();
        assertThat(pod.field("spec").field("nodeSelector").isStruct()).isFalse();
        assertThat(pod.field("spec").field("affinity").field("nodeAffinity")
                .field("requiredDuringSchedulingIgnoredDuringExecution").isAtomicObject()).isTrue();
        assertThat(pod.isBuiltIn()).isTrue();
    }

    @Test
    void unknownFieldsOfBuiltInTypesAreAtomicButStillBuiltIn() {
        PatchSchema unknown = PatchSchema.forType(Pod.class).field("spec").field("noSuchField");

        assertThat(unknown.isBuiltIn()).isTrue();
        assertThat(unknown.listRule().applyType()).isEqualTo(ListType.ATOMIC);
    }

    @Test
    void readsListTypesFromACustomResourceSchema() {
        PatchSchema crd = PatchSchema.fromOpenApi(json("""
                {'type':'object','properties':{'spec':{'type':'object','properties':{
                  'items':{'type':'array','x-kubernetes-list-type':'map','x-kubernetes-list-map-keys':['a','b'],'items':{'type':'object'}},
                  'sel':{'type':'object','x-kubernetes-map-type':'atomic'},
                  'extra':{'type':'object','additionalProperties':{'type':'string'}}}}}}"""));

        assertThat(crd.isBuiltIn()).isFalse();
        assertThat(crd.field("spec").field("items").listRule().applyKeys()).isEqualTo(List.of("a", "b"));
        assertThat(crd.field("spec").field("sel").isAtomicObject()).isTrue();
        assertThat(crd.field("spec").isStruct()).isTrue();
        assertThat(crd.field("spec").field("extra").isStruct()).isFalse();
    }
}
