package dev.berth.core.apiserver.openapi;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Kubernetes' OpenAPI definition names ({@code io.k8s.api.apps.v1.Deployment}) for fabric8 model classes. */
final class SchemaNames {
    static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";
    static final String QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
    static final String INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";

    private static final String CORE_PACKAGE = "io.fabric8.kubernetes.api.model";

    /** fabric8 keeps meta/v1 types in the core package; Kubernetes names them under apimachinery. */
    private static final Set<String> META_TYPES = Set.of(
            "ObjectMeta", "ListMeta", "LabelSelector", "LabelSelectorRequirement", "OwnerReference",
            "ManagedFieldsEntry", "FieldsV1", "Status", "StatusDetails", "StatusCause", "Condition", "DeleteOptions",
            "Preconditions", "Time", "MicroTime", "Duration", "APIResource", "APIResourceList", "APIGroup",
            "APIGroupList", "APIVersions", "GroupVersionForDiscovery", "ServerAddressByClientCIDR", "WatchEvent",
            "Patch", "TypeMeta", "GetOptions", "ListOptions", "CreateOptions", "UpdateOptions", "PatchOptions",
            "PartialObjectMetadata", "PartialObjectMetadataList", "Table", "TableColumnDefinition", "TableRow",
            "TableRowCondition", "TableOptions", "GroupKind", "GroupVersionKind", "RootPaths");

    private static final Map<String, String> PACKAGES = Map.ofEntries(
            Map.entry(CORE_PACKAGE, "io.k8s.api.core.v1"),
            Map.entry(CORE_PACKAGE + ".apps", "io.k8s.api.apps.v1"),
            Map.entry(CORE_PACKAGE + ".rbac", "io.k8s.api.rbac.v1"),
            Map.entry(CORE_PACKAGE + ".storage", "io.k8s.api.storage.v1"),
            Map.entry(CORE_PACKAGE + ".apiextensions.v1", "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1"),
            Map.entry(CORE_PACKAGE + ".metrics.v1beta1", "io.k8s.metrics.pkg.apis.metrics.v1beta1"),
            Map.entry(CORE_PACKAGE + ".runtime", "io.k8s.apimachinery.pkg.runtime"));

    private final Map<String, String> packages = new HashMap<>(PACKAGES);

    /** Learns the Kubernetes package of a served kind's fabric8 package, which names its nested types too. */
    void learn(ServedKind kind) {
        if (kind.fabric8Type() != null) {
            packages.putIfAbsent(kind.fabric8Type().getPackageName(), kubernetesPackage(kind.group(), kind.version()));
        }
    }

    static String kubernetesPackage(String group, String version) {
        if (group.equals("apiextensions.k8s.io")) {
            return "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions." + version;
        }
        if (group.equals("metrics.k8s.io")) {
            return "io.k8s.metrics.pkg.apis.metrics." + version;
        }
        String dir = group.isEmpty() ? "core" : group.split("\\.", 2)[0];
        return "io.k8s.api." + dir + "." + version;
    }

    /** The definition name of a custom resource: the group reversed, then version and kind. */
    static String customResource(String group, String version, String kind) {
        String[] labels = group.split("\\.");
        StringBuilder sb = new StringBuilder();
        for (int i = labels.length - 1; i >= 0; i--) {
            sb.append(labels[i]).append('.');
        }
        return sb.append(version).append('.').append(kind).toString();
    }

    String of(Class<?> type) {
        String simple = type.getSimpleName();
        String pkg = type.getPackageName();
        if (pkg.equals(CORE_PACKAGE) && META_TYPES.contains(simple)) {
            return META + simple;
        }
        String mapped = packages.get(pkg);
        if (mapped != null) {
            return mapped + "." + simple;
        }
        if (pkg.startsWith(CORE_PACKAGE + ".")) {
            // io.fabric8.kubernetes.api.model.<dir>.<version> -> io.k8s.api.<dir>.<version>
            return "io.k8s.api." + pkg.substring(CORE_PACKAGE.length() + 1) + "." + simple;
        }
        return type.getName();
    }
}
