package dev.berth.core.controller.runtime;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import java.util.Set;

/** One resource the API server serves, as discovery describes it (preferred version). */
public record ApiResource(String group, String version, String resource, String kind, boolean namespaced,
                          Set<String> verbs) {
    public ApiResource {
        verbs = Set.copyOf(verbs);
    }

    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** {@code resource.group}, as kubectl and the namespace conditions name it ({@code configmaps.} for core). */
    public String qualifiedName() {
        return resource + "." + group;
    }

    public boolean supports(String... wanted) {
        for (String v : wanted) {
            if (!verbs.contains(v)) {
                return false;
            }
        }
        return true;
    }

    public ResourceDefinitionContext context() {
        return new ResourceDefinitionContext.Builder()
                .withGroup(group)
                .withVersion(version)
                .withPlural(resource)
                .withKind(kind)
                .withNamespaced(namespaced)
                .build();
    }

    /** The REST path of the collection ({@code name} null) or of one object; {@code namespace} is ignored when cluster-scoped. */
    public String path(String namespace, String name) {
        StringBuilder sb = new StringBuilder(group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version);
        if (namespaced && namespace != null && !namespace.isEmpty()) {
            sb.append("/namespaces/").append(namespace);
        }
        sb.append('/').append(resource);
        if (name != null) {
            sb.append('/').append(name);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
