package dev.berth.core.apiserver.auth.node;

import dev.berth.core.api.ApiException;
import dev.berth.core.apiserver.admission.AdmissionPlugin;
import dev.berth.core.apiserver.admission.AdmissionRequest;
import dev.berth.core.apiserver.admission.AdmissionRequest.Operation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;


/**
 * Kubernetes' NodeRestriction admission: what a node writes must be its own. A node changes only
 * its own Node object, only pods bound to it (their status,
 * their deletion, their eviction), and only its own Lease; it creates no pods.
 */
public final class NodeRestriction implements AdmissionPlugin {

    @Override
    public void validate(AdmissionRequest r) {
        String node = NodeAuthorizer.nodeName(r.user());
        if (node == null) {
            return;
        }
        HasMetadata obj = r.object() != null ? r.object() : r.old();
        switch (obj) {
            case Node n -> {
                String name = n.getMetadata().getName();
                if (!node.equals(name)) {
                    throw forbidden("nodes", name, "node \"" + node + "\" is not allowed to modify node \"" + name + "\"");
                }
            }
            case Pod p -> {
                String name = p.getMetadata().getName();
                switch (r.operation()) {
                    case CREATE -> throw forbidden("pods", name, "pod does not have \"kubernetes.io/config.mirror\""
                            + " annotation, node \"" + node + "\" can only create mirror pods");
                    case UPDATE -> {
                        Pod old = (Pod) r.old();
                        if (!r.subresource().equals("status")) {
                            // graceful deletion finishes with an update by the deleting node
                            if (old.getMetadata().getDeletionTimestamp() == null) {
                                throw forbidden("pods", name, "node \"" + node + "\" can only update pod status");
                            }
                        }
                        if (!node.equals(nodeName(old))) {
                            throw forbidden("pods", name, "node \"" + node
                                    + "\" can only update pod status for pods with spec.nodeName set to itself");
                        }
                    }
                    case DELETE -> {
                        if (!node.equals(nodeName(p))) {
                            throw forbidden("pods", name, "node \"" + node
                                    + "\" can only delete pods with spec.nodeName set to itself");
                        }
                    }
                }
            }
            case Lease l -> {
                if (NodeAuthorizer.LEASE_NAMESPACE.equals(l.getMetadata().getNamespace())
                        && !node.equals(l.getMetadata().getName())) {
                    throw forbidden("leases", l.getMetadata().getName(),
                            "can only access node lease with the same name as the requesting node");
                }
            }
            default -> {
            }
        }
    }

    private static String nodeName(Pod p) {
        return p.getSpec() == null ? null : p.getSpec().getNodeName();
    }

    private static ApiException forbidden(String resource, String name, String message) {
        return ApiException.forbidden(resource + " \"" + name + "\" is forbidden: " + message);
    }
}
