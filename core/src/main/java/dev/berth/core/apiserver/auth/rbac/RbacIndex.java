package dev.berth.core.apiserver.auth.rbac;

import dev.berth.core.api.Json;
import dev.berth.core.apiserver.cache.CacheEvent;
import dev.berth.core.apiserver.cache.ObjectCache;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Roles, ClusterRoles and their bindings, held in memory and kept up to date from the API
 * server's own watch cache: authorizing a request reads no store.
 */
public final class RbacIndex {
    public static final String GROUP = "rbac.authorization.k8s.io";

    /** A binding as the authorizer needs it. */
    public record Binding(String kind, String namespace, String name, RoleRef roleRef, List<Subject> subjects) {
        /** {@code RoleBinding "ns/name"} or {@code ClusterRoleBinding "name"}, as in Kubernetes' reasons. */
        public String describe() {
            return kind + " \"" + (namespace.isEmpty() ? name : namespace + "/" + name) + "\"";
        }
    }

    private final Map<String, List<PolicyRule>> roles = new ConcurrentHashMap<>();
    private final Map<String, List<PolicyRule>> clusterRoles = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Binding>> roleBindings = new ConcurrentHashMap<>();
    private final Map<String, Binding> clusterRoleBindings = new ConcurrentHashMap<>();

    /** Follows the cache of the four RBAC resources. */
    public void follow(ObjectCache cache) {
        cache.resource(GROUP + "/roles").subscribe(e -> {
            String key = e.object().namespace() + "/" + e.object().name();
            if (e.type() == CacheEvent.Type.DELETED) {
                roles.remove(key);
            } else {
                Role r = Json.MAPPER.convertValue(Json.parse(e.object().json()), Role.class);
                roles.put(key, rules(r.getRules()));
            }
        });
        cache.resource(GROUP + "/clusterroles").subscribe(e -> {
            if (e.type() == CacheEvent.Type.DELETED) {
                clusterRoles.remove(e.object().name());
            } else {
                ClusterRole r = Json.MAPPER.convertValue(Json.parse(e.object().json()), ClusterRole.class);
                clusterRoles.put(e.object().name(), rules(r.getRules()));
            }
        });
        cache.resource(GROUP + "/rolebindings").subscribe(e -> {
            String ns = e.object().namespace();
            if (e.type() == CacheEvent.Type.DELETED) {
                Map<String, Binding> m = roleBindings.get(ns);
                if (m != null) {
                    m.remove(e.object().name());
                }
            } else {
                RoleBinding b = Json.MAPPER.convertValue(Json.parse(e.object().json()), RoleBinding.class);
                roleBindings.computeIfAbsent(ns, k -> new ConcurrentHashMap<>()).put(e.object().name(),
                        new Binding("RoleBinding", ns, e.object().name(), b.getRoleRef(), subjects(b.getSubjects())));
            }
        });
        cache.resource(GROUP + "/clusterrolebindings").subscribe(e -> {
            if (e.type() == CacheEvent.Type.DELETED) {
                clusterRoleBindings.remove(e.object().name());
            } else {
                ClusterRoleBinding b = Json.MAPPER.convertValue(Json.parse(e.object().json()), ClusterRoleBinding.class);
                clusterRoleBindings.put(e.object().name(), new Binding("ClusterRoleBinding", "", e.object().name(),
                        b.getRoleRef(), subjects(b.getSubjects())));
            }
        });
    }

    private static List<PolicyRule> rules(List<PolicyRule> rules) {
        return rules == null ? List.of() : List.copyOf(rules);
    }

    private static List<Subject> subjects(List<Subject> subjects) {
        return subjects == null ? List.of() : List.copyOf(subjects);
    }

    public Collection<Binding> clusterRoleBindings() {
        return clusterRoleBindings.values();
    }

    public Collection<Binding> roleBindings(String namespace) {
        Map<String, Binding> m = roleBindings.get(namespace);
        return m == null ? List.of() : m.values();
    }

    /** The rules a binding's roleRef names in {@code namespace}; empty when the role does not exist (yet). */
    public List<PolicyRule> rulesOf(RoleRef ref, String namespace) {
        if (ref == null) {
            return List.of();
        }
        List<PolicyRule> r = "Role".equals(ref.getKind()) ? roles.get(namespace + "/" + ref.getName())
                : "ClusterRole".equals(ref.getKind()) ? clusterRoles.get(ref.getName()) : null;
        return r == null ? List.of() : r;
    }

    public boolean roleExists(RoleRef ref, String namespace) {
        return "Role".equals(ref.getKind()) ? roles.containsKey(namespace + "/" + ref.getName())
                : clusterRoles.containsKey(ref.getName());
    }
}
