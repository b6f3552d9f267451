package dev.berth.app.topology.model;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.util.Map;

/** Test objects, built typed and handed over as the generic objects informers deliver. */
final class Objects {
    private Objects() {}

    static GenericKubernetesResource generic(HasMetadata o) {
        return Serialization.unmarshal(Serialization.asJson(o), GenericKubernetesResource.class);
    }

    static PodSpec spec(String app) {
        return new PodSpecBuilder().addToContainers(new ContainerBuilder().withName(app).withImage("busybox:1").build()).build();
    }

    static GenericKubernetesResource deployment(String ns, String name, int replicas, PodSpec spec) {
        Map<String, String> labels = Map.of("app", name);
        return generic(new DeploymentBuilder().withNewMetadata().withNamespace(ns).withName(name).withUid("uid-" + name).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().withMatchLabels(labels).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata().withSpec(spec).endTemplate().endSpec().build());
    }

    static GenericKubernetesResource replicaSet(String ns, String name, String deployment, int revision, int replicas, int ready) {
        return generic(new ReplicaSetBuilder().withNewMetadata().withNamespace(ns).withName(name)
                .addToAnnotations("deployment.kubernetes.io/revision", String.valueOf(revision))
                .addToOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
                        .withName(deployment).withUid("uid-" + deployment).withController(true).build()).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewTemplate().withNewMetadata().addToLabels("app", deployment).endMetadata()
                .withSpec(spec(deployment)).endTemplate().endSpec()
                .withNewStatus().withReplicas(replicas).withReadyReplicas(ready).endStatus().build());
    }

    static GenericKubernetesResource pod(String ns, String name, String ownerKind, String owner, String phase, boolean ready, String node) {
        PodBuilder b = new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).addToLabels("app", owner == null ? name : owner.replaceAll("-[0-9a-f]+$", "")).endMetadata()
                .withSpec(spec("c"));
        if (owner != null) {
            b.editMetadata().addToOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind(ownerKind)
                    .withName(owner).withUid("uid-" + owner).withController(true).build()).endMetadata();
        }
        if (node != null) {
            b.editSpec().withNodeName(node).endSpec();
        }
        b.withNewStatus().withPhase(phase).addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .addNewContainerStatus().withName("c").withReady(ready).withRestartCount(0).withNewState().withNewRunning().endRunning().endState()
                .endContainerStatus().endStatus();
        return generic(b.build());
    }

    static GenericKubernetesResource service(String ns, String name, Map<String, String> selector) {
        return generic(new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withSelector(selector).withClusterIP("10.43.0.20").endSpec().build());
    }

    static GenericKubernetesResource slice(String ns, String name, String service, Map<String, Boolean> podsReady) {
        EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withNamespace(ns).withName(name)
                .addToLabels("kubernetes.io/service-name", service).endMetadata().withAddressType("IPv4");
        int i = 1;
        for (Map.Entry<String, Boolean> e : podsReady.entrySet()) {
            b.addToEndpoints(new EndpointBuilder().addToAddresses("10.42.0." + i++).withNewConditions().withReady(e.getValue()).endConditions()
                    .withNewTargetRef().withKind("Pod").withNamespace(ns).withName(e.getKey()).endTargetRef().build());
        }
        return generic(b.build());
    }

    static GenericKubernetesResource node(String name, boolean ready) {
        return generic(new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewStatus().addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition().endStatus().build());
    }

    static GenericKubernetesResource named(HasMetadata o) {
        return generic(o);
    }
}
