package dev.berth.app.portforward;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Tunnels through the API server's {@code pods/portforward} subresource (fabric8's port-forward).
 * A service is resolved at each connection to one of its running pods, ready ones first, and its
 * port to the target port (a named target port is looked up in the pod's containers).
 */
public final class Fabric8Tunnels implements Tunnels {
    /** The pod and port a target comes down to. */
    public record PodPort(String namespace, String pod, int port) {}

    private final KubernetesClient client;

    public Fabric8Tunnels(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public Closeable open(ForwardTarget target, ReadableByteChannel fromClient, WritableByteChannel toClient) throws IOException {
        PodPort p = resolve(target);
        try {
            var forward = client.pods().inNamespace(p.namespace()).withName(p.pod()).portForward(p.port(), fromClient, toClient);
            return forward;
        } catch (KubernetesClientException e) {
            throw new IOException("cannot forward to pod " + p.namespace() + "/" + p.pod() + " port " + p.port() + ": "
                    + e.getMessage(), e);
        }
    }

    /** The pod and port {@code target} reaches now. */
    public PodPort resolve(ForwardTarget target) throws IOException {
        if ("Pod".equals(target.kind())) {
            Pod pod = client.pods().inNamespace(target.namespace()).withName(target.name()).get();
            if (pod == null) {
                throw new IOException("pod " + target.namespace() + "/" + target.name() + " not found");
            }
            if (!"Running".equals(phase(pod))) {
                throw new IOException("pod " + target.namespace() + "/" + target.name() + " is not running (phase "
                        + phase(pod) + ")");
            }
            return new PodPort(target.namespace(), target.name(), target.port());
        }
        Service svc = client.services().inNamespace(target.namespace()).withName(target.name()).get();
        if (svc == null) {
            throw new IOException("service " + target.namespace() + "/" + target.name() + " not found");
        }
        List<ServicePort> ports = svc.getSpec().getPorts() == null ? List.of() : svc.getSpec().getPorts();
        ServicePort sp = ports.stream().filter(x -> x.getPort() != null && x.getPort() == target.port()).findFirst()
                .orElseThrow(() -> new IOException("service " + target.namespace() + "/" + target.name() + " has no port "
                        + target.port() + " (its ports: " + ports.stream().map(ServicePort::getPort).toList() + ")"));
        Map<String, String> selector = svc.getSpec().getSelector();
        if (selector == null || selector.isEmpty()) {
            throw new IOException("service " + target.namespace() + "/" + target.name() + " has no selector: there is no pod to forward to");
        }
        Pod pod = client.pods().inNamespace(target.namespace()).withLabels(selector).list().getItems().stream()
                .filter(x -> "Running".equals(phase(x)) && x.getMetadata().getDeletionTimestamp() == null)
                .min(Comparator.comparing((Pod x) -> ready(x) ? 0 : 1).thenComparing(x -> x.getMetadata().getName()))
                .orElseThrow(() -> new IOException("service " + target.namespace() + "/" + target.name()
                        + " has no running pod (selector " + selector + ")"));
        return new PodPort(target.namespace(), pod.getMetadata().getName(), targetPort(sp, pod, target));
    }

    static int targetPort(ServicePort sp, Pod pod, ForwardTarget target) throws IOException {
        IntOrString t = sp.getTargetPort();
        if (t == null || (t.getIntVal() == null && t.getStrVal() == null)) {
            return sp.getPort();
        }
        if (t.getIntVal() != null) {
            return t.getIntVal() == 0 ? sp.getPort() : t.getIntVal();
        }
        String name = t.getStrVal();
        return pod.getSpec().getContainers().stream()
                .flatMap(c -> c.getPorts() == null ? java.util.stream.Stream.<ContainerPort>empty() : c.getPorts().stream())
                .filter(cp -> name.equals(cp.getName())).map(ContainerPort::getContainerPort).findFirst()
                .orElseThrow(() -> new IOException("service " + target.namespace() + "/" + target.name() + " targets port \""
                        + name + "\", which no container of pod " + pod.getMetadata().getName() + " names"));
    }

    private static String phase(Pod p) {
        return p.getStatus() == null ? null : p.getStatus().getPhase();
    }

    private static boolean ready(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
