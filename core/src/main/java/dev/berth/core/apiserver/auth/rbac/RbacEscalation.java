package dev.berth.core.apiserver.auth.rbac;

import dev.berth.core.api.ApiException;
import dev.berth.core.api.rbac.Aggregation;
import dev.berth.core.apiserver.admission.AdmissionPlugin;
import dev.berth.core.apiserver.admission.AdmissionRequest;
import dev.berth.core.apiserver.auth.Authorizer;
import dev.berth.core.apiserver.auth.UserInfo;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;

import java.util.List;
import java.util.Objects;

/**
 * RBAC's escalation prevention, as Kubernetes' rbac registry does it: writing a Role or ClusterRole
 * needs every permission it grants already held (or the {@code escalate} verb on it); writing a
 * binding needs the {@code bind} verb on the role it refers to, or every permission of that role.
 * Members of {@code system:masters} may do either.
 */
public final class RbacEscalation implements AdmissionPlugin {
    private static final List<PolicyRule> FULL_AUTHORITY = List.of(
            RbacRules.rule(List.of("*"), List.of("*"), List.of(), List.of(), List.of("*")),
            RbacRules.rule(List.of(), List.of(), List.of(), List.of("*"), List.of("*")));

    private final Authorizer authorizer;
    private final RbacAuthorizer rbac;

    public RbacEscalation(Authorizer authorizer, RbacAuthorizer rbac) {
        this.authorizer = authorizer;
        this.rbac = rbac;
    }

    @Override
    public void validate(AdmissionRequest r) {
        if (r.operation() == AdmissionRequest.Operation.DELETE || r.user() == null
                || r.user().groups().contains(UserInfo.MASTERS)) {
            return;
        }
        HasMetadata obj = r.object();
        String name = obj.getMetadata().getName();
        String ns = obj.getMetadata().getNamespace() == null ? "" : obj.getMetadata().getNamespace();
        switch (obj) {
            case Role role -> {
                if (r.old() instanceof Role old && Objects.equals(old.getRules(), role.getRules())) return;
                if (allowed(r.user(), "escalate", "roles", ns, name)) return;
                confirmNoEscalation(r.user(), "roles", name, ns, role.getRules());
            }
            case ClusterRole role -> {
                if (r.old() instanceof ClusterRole old && Objects.equals(old.getRules(), role.getRules())
                        && Objects.equals(old.getAggregationRule(), role.getAggregationRule())) return;
                if (allowed(r.user(), "escalate", "clusterroles", "", name)) return;
                if (Aggregation.isAggregated(role)
                        && !RbacRules.uncovered(rbac.rulesFor(r.user(), ""), FULL_AUTHORITY).isEmpty()) {
                    throw forbidden("clusterroles", name, "must have cluster-admin privileges to use the aggregationRule");
                }
                confirmNoEscalation(r.user(), "clusterroles", name, "", role.getRules());
            }
            case RoleBinding b -> {
                if (r.old() instanceof RoleBinding old && Objects.equals(old.getRoleRef(), b.getRoleRef())) return;
                checkBinding(r.user(), "rolebindings", name, ns, b.getRoleRef());
            }
            case ClusterRoleBinding b -> {
                if (r.old() instanceof ClusterRoleBinding old && Objects.equals(old.getRoleRef(), b.getRoleRef())) return;
                checkBinding(r.user(), "clusterrolebindings", name, "", b.getRoleRef());
            }
            default -> {
            }
        }
    }

    private void checkBinding(UserInfo user, String resource, String name, String ns, RoleRef ref) {
        if (ref == null) {
            return; // validation reports the missing roleRef
        }
        String roleResource = "Role".equals(ref.getKind()) ? "roles" : "clusterroles";
        if (allowed(user, "bind", roleResource, ns, ref.getName())) {
            return;
        }
        if (!rbac.index().roleExists(ref, ns)) {
            throw forbidden(resource, name, roleResource + "." + RbacIndex.GROUP + " \""
                    + ref.getName() + "\" not found");
        }
        confirmNoEscalation(user, resource, name, ns, rbac.index().rulesOf(ref, ns));
    }

    private boolean allowed(UserInfo user, String verb, String resource, String ns, String name) {
        return authorizer.authorize(user, new dev.berth.core.apiserver.RequestInfo(true, "", verb, "apis",
                RbacIndex.GROUP, "v1", ns, resource, "", name, List.of())).allowed();
    }

    private void confirmNoEscalation(UserInfo user, String resource, String name, String ns, List<PolicyRule> rules) {
        List<PolicyRule> missing = RbacRules.uncovered(rbac.rulesFor(user, ns), rules == null ? List.of() : rules);
        if (missing.isEmpty()) {
            return;
        }
        List<String> lines = missing.stream().map(RbacRules::compact).sorted().distinct().toList();
        throw forbidden(resource, name, "user \"" + user.name() + "\" (groups=" + RbacRules.quoted(user.groups())
                + ") is attempting to grant RBAC permissions not currently held:\n" + String.join("\n", lines));
    }

    private static ApiException forbidden(String resource, String name, String message) {
        return ApiException.forbidden(resource + "." + RbacIndex.GROUP + " \"" + name + "\" is forbidden: " + message);
    }
}
