package dev.berth.core.controller.endpoints;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;

/** Pods and Services as the informers would hold them, for the pure computations. */
final class Pods {
    private Pods() {
    }

    static Service service(String name, boolean publishNotReady) {
        return new ServiceBuilder().withNewMetadata().withNamespace("ns").withName(name).withUid("svc-uid").endMetadata()
                .withNewSpec().addToSelector("app", "web").withClusterIP("10.43.0.20")
                .withPublishNotReadyAddresses(publishNotReady ? true : null)
                .addToPorts(new ServicePortBuilder().withName("http").withPort(80).withProtocol("TCP")
                        .withTargetPort(new IntOrString("web")).build())
                .addToPorts(new ServicePortBuilder().withName("metrics").withPort(9090).withProtocol("TCP")
                        .withTargetPort(new IntOrString(9100)).build())
                .endSpec().build();
    }

    /** A pod of app=web whose "web" port is {@code webPort} (none when 0). */
    static Pod pod(String name, String ip, boolean ready, int webPort) {
        PodBuilder b = new PodBuilder().withNewMetadata().withNamespace("ns").withName(name).withUid(name + "-uid")
                .addToLabels("app", "web").endMetadata()
                .withNewSpec().withNodeName("node-1").addNewContainer().withName("c").withImage("nginx")
                .endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ip)
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .endStatus();
        if (webPort > 0) {
            b.editSpec().editFirstContainer().addNewPort().withName("web").withContainerPort(webPort)
                    .withProtocol("TCP").endPort().endContainer().endSpec();
        }
        return b.build();
    }
}
