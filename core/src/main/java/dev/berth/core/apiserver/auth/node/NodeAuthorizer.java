package dev.berth.core.apiserver.auth.node;

import dev.berth.core.apiserver.auth.UserInfo;
import dev.berth.core.apiserver.auth.rbac.RbacRules.Attributes;

import java.util.Set;

/**
 * Kubernetes' Node authorizer for Berth's agents: a node ({@code system:node:NAME} in group
 * {@code system:nodes}) reads only the Secrets, ConfigMaps, claims, volumes and service account
 * tokens of pods bound to it ({@link NodeGraph}); it lists and watches what proxy rules, DNS and
 * ingress need cluster-wide; it writes its own Node and Lease, the status of its pods, events and
 * certificate requests. Anything else gets no opinion here (RBAC decides). Which node's pod a
 * write touches, when the path does not say, is {@link NodeRestriction}'s to check.
 */
public final class NodeAuthorizer {
    public static final String NODE_PREFIX = "system:node:";
    public static final String NODES_GROUP = "system:nodes";
    public static final String LEASE_NAMESPACE = "kube-node-lease";

    /** Allowed, or not (then RBAC is asked), with the reason for a refusal. */
    public record Verdict(boolean allowed, String reason) {
        static final Verdict ALLOW = new Verdict(true, "");

        static Verdict noOpinion(String reason) {
            return new Verdict(false, reason);
        }
    }

    private static final Set<String> READ = Set.of("get", "list", "watch");
    private static final Set<String> WRITE = Set.of("create", "update", "patch");
    /** Resources a node's proxy, DNS and ingress parts list and watch everywhere. */
    private static final Set<String> CLUSTER_READ = Set.of("/services", "/endpoints", "/pods", "/nodes",
            "/namespaces", "discovery.k8s.io/endpointslices", "networking.k8s.io/networkpolicies",
            "networking.k8s.io/ingresses", "networking.k8s.io/ingressclasses", "/persistentvolumes",
            "storage.k8s.io/storageclasses", "node.k8s.io/runtimeclasses");

    private final NodeGraph graph;

    public NodeAuthorizer(NodeGraph graph) {
        this.graph = graph;
    }

    /** The node a user is, or null when the user is not a node. */
    public static String nodeName(UserInfo user) {
        if (user == null || !user.name().startsWith(NODE_PREFIX) || !user.groups().contains(NODES_GROUP)) {
            return null;
        }
        String n = user.name().substring(NODE_PREFIX.length());
        return n.isEmpty() ? null : n;
    }

    /** Null when the user is not a node (no opinion). */
    public Verdict authorize(UserInfo user, Attributes a) {
        String node = nodeName(user);
        if (node == null || !a.resourceRequest()) {
            return null;
        }
        String gr = a.apiGroup() + "/" + a.resource();
        String verb = a.verb();
        String sub = a.subresource();
        switch (gr) {
            case "/secrets", "/configmaps", "/persistentvolumeclaims" -> {
                if (verb.equals("get") && sub.isEmpty()) {
                    return graph.uses(node, a.resource(), a.namespace(), a.name()) ? Verdict.ALLOW : noRelationship(node, a);
                }
                return Verdict.noOpinion("can only get individual resources of this type");
            }
            case "/persistentvolumes" -> {
                if (verb.equals("get") && sub.isEmpty()) {
                    return graph.usesVolume(node, a.name()) ? Verdict.ALLOW : noRelationship(node, a);
                }
            }
            case "/serviceaccounts" -> {
                if (sub.equals("token") && verb.equals("create")) {
                    return graph.uses(node, "serviceaccounts", a.namespace(), a.name()) ? Verdict.ALLOW
                            : noRelationship(node, a);
                }
            }
            case "/nodes" -> {
                if ((WRITE.contains(verb) || verb.equals("delete")) && (sub.isEmpty() || sub.equals("status"))) {
                    // creates name the node in the body: NodeRestriction checks it
                    return a.name().isEmpty() || a.name().equals(node) ? Verdict.ALLOW
                            : Verdict.noOpinion("node '" + node + "' cannot modify node '" + a.name() + "'");
                }
            }
            case "/pods" -> {
                if (sub.equals("status") && (verb.equals("update") || verb.equals("patch") || verb.equals("get"))
                        || sub.isEmpty() && verb.equals("delete") || sub.equals("eviction") && verb.equals("create")) {
                    String bound = graph.nodeOf(a.namespace(), a.name());
                    return bound == null || bound.equals(node) ? Verdict.ALLOW
                            : Verdict.noOpinion("node '" + node + "' can only modify pods bound to it");
                }
            }
            case "coordination.k8s.io/leases" -> {
                if (a.namespace().equals(LEASE_NAMESPACE) && (READ.contains(verb) && !verb.equals("list")
                        || WRITE.contains(verb) || verb.equals("delete"))
                        && (a.name().isEmpty() || a.name().equals(node))) {
                    return Verdict.ALLOW;
                }
                return Verdict.noOpinion("node '" + node + "' can only access its own lease in " + LEASE_NAMESPACE);
            }
            case "/events", "events.k8s.io/events" -> {
                // the event recorder reads an event back to count a repeat
                if (WRITE.contains(verb) || verb.equals("get")) {
                    return Verdict.ALLOW;
                }
            }
            case "certificates.k8s.io/certificatesigningrequests" -> {
                if (sub.isEmpty() && (verb.equals("create") || READ.contains(verb))) {
                    return Verdict.ALLOW;
                }
            }
            case "networking.k8s.io/ingresses" -> {
                if (sub.equals("status") && (verb.equals("update") || verb.equals("patch") || verb.equals("get"))) {
                    return Verdict.ALLOW;  // a node serving ingress reports the addresses it serves on
                }
            }
            default -> {
            }
        }
        if (CLUSTER_READ.contains(gr) && READ.contains(verb) && (sub.isEmpty() || sub.equals("status"))) {
            return Verdict.ALLOW;
        }
        return Verdict.noOpinion("");
    }

    private static Verdict noRelationship(String node, Attributes a) {
        return Verdict.noOpinion("no relationship found between node '" + node + "' and this object");
    }
}
