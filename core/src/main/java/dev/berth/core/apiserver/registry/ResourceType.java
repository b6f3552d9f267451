package dev.berth.core.apiserver.registry;

import java.util.List;
import java.util.Set;

/**
 * One served resource at one group-version: what discovery lists and what the handlers need.
 *
 * @param group        API group ("" for core)
 * @param version      served version
 * @param resource     plural lower-case name, e.g. {@code deployments}
 * @param singular     singular name, e.g. {@code deployment}
 * @param kind         kind, e.g. {@code Deployment}
 * @param namespaced   namespaced or cluster-scoped
 * @param shortNames   kubectl short names
 * @param categories   e.g. {@code all}
 * @param type         fabric8 model class, or null for custom resources
 * @param subresources served subresources: status, scale, binding, eviction, log, exec, ...
 * @param storage      the group/resource the objects are stored under (for multi-version kinds)
 * @param verbs        verbs served on the main resource
 */
public record ResourceType(String group, String version, String resource, String singular, String kind,
                           boolean namespaced, List<String> shortNames, List<String> categories, Class<?> type,
                           Set<String> subresources, String storage, List<String> verbs) {

    public static final List<String> ALL_VERBS =
            List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** {@code deployments.apps} or {@code pods}. */
    public String groupResource() {
        return group.isEmpty() ? resource : resource + "." + group;
    }

    public String listKind() {
        return kind + "List";
    }

    /** Storage key prefix, e.g. {@code /apps/deployments/}. */
    public String keyPrefix() {
        return "/" + storage + "/";
    }

    /** Key of one object: {@code /apps/deployments/default/web} or {@code /core/nodes/n1}. */
    public String key(String namespace, String name) {
        return namespaced ? keyPrefix() + namespace + "/" + name : keyPrefix() + name;
    }

    /** Prefix of every object in one namespace (or all, when namespace is null). */
    public String namespacePrefix(String namespace) {
        return namespace == null || !namespaced ? keyPrefix() : keyPrefix() + namespace + "/";
    }

    public boolean hasSubresource(String sub) {
        return subresources.contains(sub);
    }

    public boolean isCustom() {
        return type == null;
    }
}
