package dev.berth.core.controller.endpoints;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;

import java.util.Map;
import java.util.OptionalInt;

/**
 * Which pods a Service selects and how they appear as endpoints, as Kubernetes' endpoints and
 * EndpointSlice controllers decide it.
 */
public final class PodEndpoints {
    private PodEndpoints() {
    }

    /**
     * True when the Service has a selector: only then do the controllers manage its endpoints. An
     * empty selector is none (it is omitted on the wire; fabric8 reads it back as an empty map).
     */
    public static boolean hasSelector(Service service) {
        return service.getSpec() != null && service.getSpec().getSelector() != null
                && !service.getSpec().getSelector().isEmpty();
    }

    /** True when every label of the Service's selector is on the pod (an empty selector selects nothing). */
    public static boolean selects(Service service, Pod pod) {
        if (!hasSelector(service)) {
            return false;
        }
        Map<String, String> labels = pod.getMetadata().getLabels();
        if (labels == null) {
            return false;
        }
        return service.getSpec().getSelector().entrySet().stream()
                .allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    public static boolean publishNotReadyAddresses(Service service) {
        return Boolean.TRUE.equals(service.getSpec().getPublishNotReadyAddresses());
    }

    /** The pod's Ready condition is True (the agent folds readiness gates into it). */
    public static boolean isReady(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return false;
        }
        for (PodCondition c : pod.getStatus().getConditions()) {
            if ("Ready".equals(c.getType())) {
                return "True".equals(c.getStatus());
            }
        }
        return false;
    }

    public static boolean isTerminating(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() != null;
    }

    /** The pod's IP, or null before it has one. */
    public static String podIp(Pod pod) {
        if (pod.getStatus() == null) {
            return null;
        }
        String ip = pod.getStatus().getPodIP();
        if ((ip == null || ip.isEmpty()) && pod.getStatus().getPodIPs() != null && !pod.getStatus().getPodIPs().isEmpty()) {
            ip = pod.getStatus().getPodIPs().getFirst().getIp();
        }
        return ip == null || ip.isEmpty() ? null : ip;
    }

    /**
     * Whether a selected pod is an endpoint at all: it has an IP, it has not finished (Succeeded or
     * Failed), and it is not terminating unless {@code includeTerminating}.
     */
    public static boolean shouldBeEndpoint(Pod pod, boolean includeTerminating) {
        if (podIp(pod) == null) {
            return false;
        }
        if (!includeTerminating && isTerminating(pod)) {
            return false;
        }
        String phase = pod.getStatus().getPhase();
        return !"Succeeded".equals(phase) && !"Failed".equals(phase);
    }

    /**
     * The port a Service port sends to on this pod: a numeric targetPort as is (the port when
     * unset), a named one looked up among the pod's container ports of the same protocol; empty
     * when the pod has no port of that name.
     */
    public static OptionalInt findPort(Pod pod, ServicePort servicePort) {
        IntOrString target = servicePort.getTargetPort();
        if (target == null || (target.getIntVal() == null && target.getStrVal() == null)) {
            return OptionalInt.of(servicePort.getPort());
        }
        if (target.getIntVal() != null) {
            return OptionalInt.of(target.getIntVal());
        }
        String name = target.getStrVal();
        try {
            return OptionalInt.of(Integer.parseInt(name));   // "8080" given as a string
        } catch (NumberFormatException notNumeric) {
            // a port name
        }
        String protocol = servicePort.getProtocol() == null ? "TCP" : servicePort.getProtocol();
        for (Container c : pod.getSpec().getContainers()) {
            if (c.getPorts() == null) {
                continue;
            }
            for (ContainerPort p : c.getPorts()) {
                String pp = p.getProtocol() == null ? "TCP" : p.getProtocol();
                if (name.equals(p.getName()) && protocol.equals(pp)) {
                    return OptionalInt.of(p.getContainerPort());
                }
            }
        }
        return OptionalInt.empty();
    }

    /** The pod's hostname for DNS when it names this Service as its subdomain, else null. */
    public static String hostname(Pod pod, Service service) {
        String hostname = pod.getSpec().getHostname();
        if (hostname != null && !hostname.isEmpty()
                && service.getMetadata().getName().equals(pod.getSpec().getSubdomain())
                && service.getMetadata().getNamespace().equals(pod.getMetadata().getNamespace())) {
            return hostname;
        }
        return null;
    }

    public static String nodeName(Pod pod) {
        String n = pod.getSpec().getNodeName();
        return n == null || n.isEmpty() ? null : n;
    }

    public static ObjectReference targetRef(Pod pod) {
        return new ObjectReferenceBuilder().withKind("Pod").withNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).build();
    }
}
