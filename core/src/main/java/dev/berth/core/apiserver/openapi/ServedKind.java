package dev.berth.core.apiserver.openapi;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Objects;

/**
 * A kind the API server serves, as the OpenAPI documents describe it.
 *
 * @param group       API group, "" for the core group
 * @param resource    plural resource name, as in the URL
 * @param fabric8Type the fabric8 model class of a built-in kind; null for custom resources
 * @param crdSchema   the CRD version's {@code openAPIV3Schema} for custom resources; null for built-ins
 */
public record ServedKind(String group, String version, String kind, String resource, boolean namespaced,
                         Class<?> fabric8Type, JsonNode crdSchema) {
    public ServedKind {
        group = group == null ? "" : group;
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(resource, "resource");
    }

    public static ServedKind builtin(String group, String version, String kind, String resource, boolean namespaced,
                                     Class<?> fabric8Type) {
        return new ServedKind(group, version, kind, resource, namespaced, Objects.requireNonNull(fabric8Type), null);
    }

    public static ServedKind custom(String group, String version, String kind, String resource, boolean namespaced,
                                    JsonNode openApiV3Schema) {
        return new ServedKind(group, version, kind, resource, namespaced, null, openApiV3Schema);
    }

    /** The document path of the group-version: {@code api/v1} or {@code apis/apps/v1}. */
    public String groupVersionPath() {
        return group.isEmpty() ? "api/" + version : "apis/" + group + "/" + version;
    }

    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }
}
