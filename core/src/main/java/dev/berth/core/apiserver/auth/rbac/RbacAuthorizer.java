package dev.berth.core.apiserver.auth.rbac;

import dev.berth.core.apiserver.RequestInfo;
import dev.berth.core.apiserver.auth.Authorizer;
import dev.berth.core.apiserver.auth.UserInfo;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Subject;

import java.util.ArrayList;
import java.util.List;

/**
 * Kubernetes' RBAC authorizer: a request is allowed when a ClusterRoleBinding, or a RoleBinding in
 * the request's namespace, binds one of the user's names to a role with a rule that allows it.
 * Bindings and roles come from {@link RbacIndex}; nothing is read from the store per request.
 */
public final class RbacAuthorizer implements Authorizer {
    private final RbacIndex index;

    public RbacAuthorizer(RbacIndex index) {
        this.index = index;
    }

    public RbacIndex index() {
        return index;
    }

    @Override
    public Decision authorize(UserInfo user, RequestInfo request) {
        return authorize(user, RbacRules.Attributes.of(request));
    }

    /** Allows with Kubernetes' reason ({@code RBAC: allowed by ...}), or denies with an empty reason. */
    public Decision authorize(UserInfo user, RbacRules.Attributes a) {
        for (RbacIndex.Binding b : index.clusterRoleBindings()) {
            Subject s = appliesTo(user, b.subjects(), "");
            if (s != null && RbacRules.allowsAny(a, index.rulesOf(b.roleRef(), ""))) {
                return new Decision(true, allowedBy(b, s));
            }
        }
        if (a.resourceRequest() && !a.namespace().isEmpty()) {
            for (RbacIndex.Binding b : index.roleBindings(a.namespace())) {
                Subject s = appliesTo(user, b.subjects(), b.namespace());
                if (s != null && RbacRules.allowsAny(a, index.rulesOf(b.roleRef(), b.namespace()))) {
                    return new Decision(true, allowedBy(b, s));
                }
            }
        }
        return Decision.deny("");
    }

    private static String allowedBy(RbacIndex.Binding b, Subject s) {
        String subject = s.getKind() + " \"" + (s.getKind().equals("ServiceAccount") && s.getNamespace() != null
                && !s.getNamespace().isEmpty() ? s.getNamespace() + "/" : "") + s.getName() + "\"";
        String role = b.roleRef().getKind() + " \"" + b.roleRef().getName() + "\"";
        return "RBAC: allowed by " + b.describe() + " of " + role + " to " + subject;
    }

    /**
     * Every rule the user holds in {@code namespace} ("" for cluster-wide only): the rules of every
     * ClusterRoleBinding, plus those of the namespace's RoleBindings.
     */
    public List<PolicyRule> rulesFor(UserInfo user, String namespace) {
        List<PolicyRule> rules = new ArrayList<>();
        for (RbacIndex.Binding b : index.clusterRoleBindings()) {
            if (appliesTo(user, b.subjects(), "") != null) {
                rules.addAll(index.rulesOf(b.roleRef(), ""));
            }
        }
        if (namespace != null && !namespace.isEmpty()) {
            for (RbacIndex.Binding b : index.roleBindings(namespace)) {
                if (appliesTo(user, b.subjects(), b.namespace()) != null) {
                    rules.addAll(index.rulesOf(b.roleRef(), b.namespace()));
                }
            }
        }
        return rules;
    }

    /** The first subject that names the user, or null; a ServiceAccount subject defaults to the binding's namespace. */
    static Subject appliesTo(UserInfo user, List<Subject> subjects, String bindingNamespace) {
        for (Subject s : subjects) {
            if (applies(user, s, bindingNamespace)) {
                return s;
            }
        }
        return null;
    }

    static boolean applies(UserInfo user, Subject s, String bindingNamespace) {
        if (s == null || s.getKind() == null || s.getName() == null) {
            return false;
        }
        return switch (s.getKind()) {
            case "User" -> s.getName().equals(user.name());
            case "Group" -> user.groups().contains(s.getName());
            case "ServiceAccount" -> {
                String ns = s.getNamespace() == null || s.getNamespace().isEmpty() ? bindingNamespace : s.getNamespace();
                yield !ns.isEmpty() && user.name().equals("system:serviceaccount:" + ns + ":" + s.getName());
            }
            default -> false;
        };
    }
}
