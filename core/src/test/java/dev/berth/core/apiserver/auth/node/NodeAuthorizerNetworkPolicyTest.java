package dev.berth.core.apiserver.auth.node;

import dev.berth.core.apiserver.auth.UserInfo;
import dev.berth.core.apiserver.auth.rbac.RbacRules.Attributes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Agents enforce NetworkPolicy: a node may list and watch policies, pods and namespaces everywhere, and not change policies. */
class NodeAuthorizerNetworkPolicyTest {
    private final NodeAuthorizer authorizer = new NodeAuthorizer(new NodeGraph());
    private final UserInfo node = new UserInfo("system:node:n1", List.of(NodeAuthorizer.NODES_GROUP, UserInfo.AUTHENTICATED));

    private NodeAuthorizer.Verdict ask(String verb, String group, String resource, String namespace) {
        return authorizer.authorize(node, new Attributes(true, verb, group, resource, "", namespace, "",
                "/apis/" + group + "/v1/" + resource));
    }

    @Test
    void aNodeListsAndWatchesWhatNetworkPolicyEnforcementNeeds() {
        for (String verb : List.of("list", "watch")) {
            assertThat(ask(verb, "networking.k8s.io", "networkpolicies", "").allowed()).as(verb + " networkpolicies").isTrue();
            assertThat(ask(verb, "", "pods", "").allowed()).as(verb + " pods").isTrue();
            assertThat(ask(verb, "", "namespaces", "").allowed()).as(verb + " namespaces").isTrue();
        }
    }

    @Test
    void aNodeCannotChangeNetworkPolicies() {
        for (String verb : List.of("create", "update", "patch", "delete")) {
            NodeAuthorizer.Verdict v = ask(verb, "networking.k8s.io", "networkpolicies", "default");
            assertThat(v == null || !v.allowed()).as(verb).isTrue();
        }
    }
}
