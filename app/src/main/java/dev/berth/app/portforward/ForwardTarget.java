package dev.berth.app.portforward;

import java.util.Objects;

/**
 * What a port-forward reaches: a pod's port, or a service's port (sent to one of its ready pods,
 * on the service port's target port, as {@code kubectl port-forward svc/NAME} does).
 *
 * @param kind      {@code Pod} or {@code Service}
 * @param namespace the object's namespace
 * @param name      the object's name
 * @param port      the pod's port, or the service's port
 */
public record ForwardTarget(String kind, String namespace, String name, int port) {
    public ForwardTarget {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        if (!"Pod".equals(kind) && !"Service".equals(kind)) {
            throw new IllegalArgumentException("kind: Unsupported value: \"" + kind + "\": supported values: \"Pod\", \"Service\"");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: Invalid value: " + port + ": must be between 1 and 65535");
        }
    }

    /** {@code pod/web-1:8080} or {@code svc/web:80}, with the namespace before it. */
    public String describe() {
        return namespace + "/" + ("Pod".equals(kind) ? "pod/" : "svc/") + name + ":" + port;
    }

    @Override
    public String toString() {
        return describe();
    }
}
