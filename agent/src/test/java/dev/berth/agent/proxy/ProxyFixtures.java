package dev.berth.agent.proxy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;

import java.util.ArrayList;
import java.util.List;

/** Services, EndpointSlices and Pods as the API server and the endpoints controller write them, for proxy tests. */
final class ProxyFixtures {
    private ProxyFixtures() {
    }

    /** A ClusterIP Service with ports given as "name:port/PROTO->target" (target a number or a port name). */
    static ServiceBuilder service(String namespace, String name, String clusterIp, String... ports) {
        ServiceBuilder b = new ServiceBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(clusterIp).withClusterIPs(clusterIp).endSpec();
        for (String p : ports) {
            String[] nameRest = p.split(":", 2);
            String[] portTarget = nameRest[1].split("->", 2);
            String[] portProto = portTarget[0].split("/", 2);
            String target = portTarget.length > 1 ? portTarget[1] : portProto[0];
            b.editSpec().addToPorts(new ServicePortBuilder().withName(nameRest[0].isEmpty() ? null : nameRest[0])
                    .withPort(Integer.parseInt(portProto[0])).withProtocol(portProto.length > 1 ? portProto[1] : "TCP")
                    .withTargetPort(target.matches("[0-9]+") ? new IntOrString(Integer.parseInt(target)) : new IntOrString(target))
                    .build()).endSpec();
        }
        return b;
    }

    /** An endpoint: address and conditions (null leaves a condition unset). */
    record Ep(String ip, Boolean ready, Boolean serving, Boolean terminating, String node) {
        static Ep ready(String ip) {
            return new Ep(ip, true, true, false, "n1");
        }

        static Ep notReady(String ip) {
            return new Ep(ip, false, false, false, "n1");
        }

        static Ep terminating(String ip, boolean serving) {
            return new Ep(ip, false, serving, true, "n1");
        }
    }

    /** An IPv4 EndpointSlice of a Service with ports given as "name:port/PROTO". */
    static EndpointSlice slice(String namespace, String service, String sliceName, List<String> ports, Ep... endpoints) {
        EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withNamespace(namespace).withName(sliceName)
                .addToLabels(ProxyModel.SERVICE_NAME_LABEL, service).endMetadata().withAddressType("IPv4");
        for (String p : ports) {
            String[] nameRest = p.split(":", 2);
            String[] portProto = nameRest[1].split("/", 2);
            b.addNewPort().withName(nameRest[0].isEmpty() ? null : nameRest[0]).withPort(Integer.parseInt(portProto[0]))
                    .withProtocol(portProto.length > 1 ? portProto[1] : "TCP").endPort();
        }
        List<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint> eps = new ArrayList<>();
        for (Ep e : endpoints) {
            eps.add(new EndpointBuilder().withAddresses(e.ip()).withNodeName(e.node()).withNewConditions()
                    .withReady(e.ready()).withServing(e.serving()).withTerminating(e.terminating()).endConditions().build());
        }
        return b.withEndpoints(eps).build();
    }

    /** A running pod on {@code node} with IP {@code podIp}. */
    static PodBuilder pod(String namespace, String name, String node, String podIp) {
        return new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("c").withImage("busybox").endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(podIp).endStatus();
    }

    static Service built(ServiceBuilder b) {
        return b.build();
    }

    static Pod built(PodBuilder b) {
        return b.build();
    }
}
