package dev.berth.core.controller.runtime;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads {@code /api} and {@code /apis}: every resource of each group's preferred version. */
public final class ApiDiscovery {
    private ApiDiscovery() {}

    /** The resources found, and the group versions that could not be read with the reason. */
    public record Discovered(List<ApiResource> resources, Map<String, String> failedGroupVersions) {}

    public static Discovered preferredResources(KubernetesClient client) {
        List<ApiResource> resources = new ArrayList<>();
        Map<String, String> failed = new LinkedHashMap<>();
        collect(client, "", "v1", resources, failed);
        for (APIGroup g : client.getApiGroups().getGroups()) {
            if (g.getPreferredVersion() == null) {
                continue;
            }
            collect(client, g.getName(), g.getPreferredVersion().getVersion(), resources, failed);
        }
        return new Discovered(List.copyOf(resources), failed);
    }

    private static void collect(KubernetesClient client, String group, String version, List<ApiResource> into,
                                Map<String, String> failed) {
        String groupVersion = group.isEmpty() ? version : group + "/" + version;
        APIResourceList list;
        try {
            list = client.getApiResources(groupVersion);
        } catch (KubernetesClientException e) {
            failed.put(groupVersion, e.getMessage());
            return;
        }
        if (list == null) {
            failed.put(groupVersion, "not found");
            return;
        }
        for (APIResource r : list.getResources()) {
            if (r.getName().contains("/")) {
                continue; // subresource
            }
            into.add(new ApiResource(group, version, r.getName(), r.getKind(), Boolean.TRUE.equals(r.getNamespaced()),
                    r.getVerbs() == null ? java.util.Set.of() : new java.util.HashSet<>(r.getVerbs())));
        }
    }
}
