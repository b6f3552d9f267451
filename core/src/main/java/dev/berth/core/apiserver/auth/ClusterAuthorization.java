package dev.berth.core.apiserver.auth;

import dev.berth.core.apiserver.RequestInfo;
import dev.berth.core.apiserver.auth.node.NodeAuthorizer;
import dev.berth.core.apiserver.auth.node.NodeGraph;
import dev.berth.core.apiserver.auth.rbac.RbacAuthorizer;
import dev.berth.core.apiserver.auth.rbac.RbacIndex;
import dev.berth.core.apiserver.auth.rbac.RbacRules.Attributes;
import dev.berth.core.apiserver.cache.ObjectCache;

/**
 * kube-apiserver's authorization chain with {@code --authorization-mode=Node,RBAC}: members of
 * {@code system:masters} may do everything; a node is allowed what the Node authorizer allows; then
 * RBAC decides. Fed by the API server's watch cache.
 */
public final class ClusterAuthorization implements Authorizer {
    private final RbacIndex index = new RbacIndex();
    private final NodeGraph graph = new NodeGraph();
    private final RbacAuthorizer rbac = new RbacAuthorizer(index);
    private final NodeAuthorizer nodes = new NodeAuthorizer(graph);

    /** Starts following the cache (after it has loaded). */
    public void follow(ObjectCache cache) {
        index.follow(cache);
        graph.follow(cache);
    }

    public RbacAuthorizer rbac() {
        return rbac;
    }

    public NodeGraph graph() {
        return graph;
    }

    @Override
    public Decision authorize(UserInfo user, RequestInfo request) {
        return authorize(user, Attributes.of(request));
    }

    public Decision authorize(UserInfo user, Attributes a) {
        if (user.groups().contains(UserInfo.MASTERS)) {
            return Decision.ALLOW;
        }
        NodeAuthorizer.Verdict v = nodes.authorize(user, a);
        if (v != null && v.allowed()) {
            return Decision.ALLOW;
        }
        Decision d = rbac.authorize(user, a);
        if (d.allowed() || v == null) {
            return d;
        }
        return Decision.deny(v.reason());
    }
}
