package dev.berth.app.transfer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Writes the cluster's state as a folder of YAML, one file per object, as {@code kubectl get -o yaml}
 * cleaned of what the server manages: keys sorted, no uid, resourceVersion, creationTimestamp,
 * generation, managedFields, selfLink, status, ownerReferences, allocated ClusterIPs; nothing a
 * controller or the cluster itself makes again (objects with a controller owner, Events, Leases,
 * EndpointSlices and the Endpoints of selector Services, Nodes, service-account tokens,
 * {@code kube-root-ca.crt}, the bootstrap RBAC and flow-control objects, metrics).
 *
 * <pre>
 * DIR/.berth-export
 * DIR/_cluster/namespaces/shop.yaml
 * DIR/_cluster/customresourcedefinitions.apiextensions.k8s.io/widgets.example.com.yaml
 * DIR/shop/deployments.apps/web.yaml
 * DIR/shop/configmaps/settings.yaml
 * </pre>
 */
public final class ClusterExport {
    public static final String MARKER = ".berth-export";
    public static final String CLUSTER_DIR = "_cluster";

    /** What was written, and the kinds that could not be read (with why). */
    public record Result(int objects, List<String> skippedKinds) {}

    private static final Set<String> SKIPPED_RESOURCES = Set.of(
            "events", "events.events.k8s.io", "leases.coordination.k8s.io", "endpointslices.discovery.k8s.io",
            "nodes", "controllerrevisions.apps", "componentstatuses", "apiservices.apiregistration.k8s.io",
            "certificatesigningrequests.certificates.k8s.io");
    private static final Set<String> SKIPPED_GROUPS = Set.of("metrics.k8s.io");

    private final KubernetesClient client;
    private final YAMLMapper yaml = yamlMapper();

    public ClusterExport(KubernetesClient client) {
        this.client = client;
    }

    /** Plain scalars a YAML reader may take for a number (YAML 1.1 and 1.2: 1e3, .5, 0x1F, 0o17, 1:20, .inf). */
    private static final java.util.regex.Pattern NUMBER_LIKE = java.util.regex.Pattern.compile(
            "[-+]?[0-9_.]*[0-9][0-9_.]*([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)|[-+]?0[xX][0-9a-fA-F_]+"
                    + "|[-+]?0o[0-7_]+|[-+]?0b[01_]+|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?");

    static YAMLMapper yamlMapper() {
        // quotes only where needed, but always where a reader would take a string for something else
        com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker quoting =
                new com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker.Default() {
                    @Override
                    public boolean needToQuoteValue(String value) {
                        return super.needToQuoteValue(value) || NUMBER_LIKE.matcher(value).matches();
                    }
                };
        YAMLMapper m = new YAMLMapper(com.fasterxml.jackson.dataformat.yaml.YAMLFactory.builder()
                .stringQuotingChecker(quoting).build());
        m.configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
        m.disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER);
        m.enable(YAMLGenerator.Feature.MINIMIZE_QUOTES);
        m.enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS);
        m.enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR);
        return m;
    }

    /**
     * Writes every exportable object under {@code dir}. The folder must be empty, missing, or an
     * earlier export (its YAML is replaced, so objects gone since then disappear from it).
     */
    public Result export(Path dir, Consumer<String> progress) throws IOException {
        prepare(dir);
        int count = 0;
        List<String> skipped = new ArrayList<>();
        Map<String, GenericKubernetesResource> services = new LinkedHashMap<>();
        for (GenericKubernetesResource s : client.genericKubernetesResources("v1", "Service").inAnyNamespace().list().getItems()) {
            services.put(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName(), s);
        }
        for (ResourceDefinitionContext rd : resources()) {
            String resourceName = rd.getPlural() + (rd.getGroup().isEmpty() ? "" : "." + rd.getGroup());
            List<GenericKubernetesResource> items;
            try {
                var op = client.genericKubernetesResources(rd);
                items = (rd.isNamespaceScoped() ? op.inAnyNamespace() : op).list().getItems();
            } catch (KubernetesClientException e) {
                skipped.add(resourceName + ": " + e.getMessage());
                continue;
            }
            int n = 0;
            for (GenericKubernetesResource o : items) {
                if (!exportable(rd, o, services)) {
                    continue;
                }
                Map<String, Object> clean = clean(rd, o);
                String ns = o.getMetadata().getNamespace();
                Path file = dir.resolve(rd.isNamespaceScoped() && ns != null ? ns : CLUSTER_DIR).resolve(resourceName)
                        .resolve(fileName(o.getMetadata().getName()));
                Files.createDirectories(file.getParent());
                Files.writeString(file, toYaml(clean));
                n++;
            }
            if (n > 0) {
                progress.accept(n + " " + resourceName);
            }
            count += n;
        }
        return new Result(count, skipped);
    }

    private static String fileName(String name) {
        // names are DNS subdomains or (RBAC) may hold ':'; neither holds '/', keep them readable
        return name.replace('/', '_') + ".yaml";
    }

    String toYaml(Map<String, Object> o) {
        try {
            return yaml.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void prepare(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException(dir + " is a file: export needs a folder (missing, empty, or an earlier export)");
        }
        Files.createDirectories(dir);
        boolean earlier = Files.exists(dir.resolve(MARKER));
        try (Stream<Path> entries = Files.list(dir)) {
            if (!earlier && entries.findAny().isPresent()) {
                throw new IOException(dir + " is not empty and holds no earlier export (no " + MARKER
                        + "): choose an empty or new folder");
            }
        }
        if (earlier) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.filter(p -> p.toString().endsWith(".yaml") && Files.isRegularFile(p)).toList()) {
                    Files.delete(p);
                }
            }
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).filter(Files::isDirectory).toList()) {
                    if (!p.equals(dir)) {
                        try (Stream<Path> left = Files.list(p)) {
                            if (left.findAny().isEmpty()) {
                                Files.delete(p);
                            }
                        }
                    }
                }
            }
        }
        Files.writeString(dir.resolve(MARKER), "# written by berth export; berth import reads this folder\nformat: 1\n");
    }

    /** Every resource the server lists and creates, of the preferred version of each group. */
    List<ResourceDefinitionContext> resources() {
        List<ResourceDefinitionContext> out = new ArrayList<>();
        addResources(out, "", "v1");
        for (APIGroup g : client.getApiGroups().getGroups()) {
            if (SKIPPED_GROUPS.contains(g.getName())) {
                continue;
            }
            String version = g.getPreferredVersion() != null ? g.getPreferredVersion().getVersion() : g.getVersions().getFirst().getVersion();
            addResources(out, g.getName(), version);
        }
        return out;
    }

    private void addResources(List<ResourceDefinitionContext> out, String group, String version) {
        APIResourceList list = client.getApiResources(group.isEmpty() ? version : group + "/" + version);
        if (list == null) {
            return;
        }
        for (APIResource r : list.getResources()) {
            String full = r.getName() + (group.isEmpty() ? "" : "." + group);
            if (r.getName().contains("/") || !r.getVerbs().contains("list") || !r.getVerbs().contains("create")
                    || SKIPPED_RESOURCES.contains(full)) {
                continue;
            }
            out.add(new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withPlural(r.getName())
                    .withKind(r.getKind()).withNamespaced(Boolean.TRUE.equals(r.getNamespaced())).build());
        }
    }

    static boolean exportable(ResourceDefinitionContext rd, GenericKubernetesResource o, Map<String, GenericKubernetesResource> services) {
        var meta = o.getMetadata();
        if (meta.getOwnerReferences() != null && meta.getOwnerReferences().stream().anyMatch(r -> Boolean.TRUE.equals(r.getController()))) {
            return false;
        }
        Map<String, String> labels = meta.getLabels() == null ? Map.of() : meta.getLabels();
        Map<String, String> annotations = meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
        if ("rbac-defaults".equals(labels.get("kubernetes.io/bootstrapping"))
                || "true".equals(annotations.get("apf.kubernetes.io/autoupdate-spec"))) {
            return false;
        }
        return switch (rd.getKind()) {
            case "Secret" -> !"kubernetes.io/service-account-token".equals(o.get("type"));
            case "ConfigMap" -> !"kube-root-ca.crt".equals(meta.getName());
            case "Endpoints" -> {
                GenericKubernetesResource svc = services.get(meta.getNamespace() + "/" + meta.getName());
                yield svc == null || svc.get("spec", "selector") == null;
            }
            case "Service" -> !("default".equals(meta.getNamespace()) && "kubernetes".equals(meta.getName()));
            default -> true;
        };
    }

    /** The object as a person would write it: the server's fields taken out. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> clean(ResourceDefinitionContext rd, GenericKubernetesResource o) {
        Map<String, Object> m = new LinkedHashMap<>(io.fabric8.kubernetes.client.utils.Serialization.jsonMapper()
                .convertValue(o, Map.class));
        m.remove("status");
        Map<String, Object> meta = new LinkedHashMap<>((Map<String, Object>) m.get("metadata"));
        for (String f : List.of("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink",
                "ownerReferences", "deletionTimestamp", "deletionGracePeriodSeconds", "generateName")) {
            meta.remove(f);
        }
        if (meta.get("annotations") instanceof Map<?, ?> a) {
            Map<String, Object> annotations = new LinkedHashMap<>((Map<String, Object>) a);
            annotations.remove("kubectl.kubernetes.io/last-applied-configuration");
            annotations.remove("deployment.kubernetes.io/revision");
            putOrRemove(meta, "annotations", annotations);
        }
        if (meta.get("labels") instanceof Map<?, ?> l) {
            putOrRemove(meta, "labels", new LinkedHashMap<>((Map<String, Object>) l));
        }
        m.put("metadata", meta);
        Map<String, Object> spec = m.get("spec") instanceof Map<?, ?> s ? new LinkedHashMap<>((Map<String, Object>) s) : null;
        if (spec != null) {
            switch (rd.getKind()) {
                case "Namespace" -> spec.remove("finalizers");
                case "Service" -> {
                    // allocated by the server; a headless Service's "None" is the person's choice
                    if (!"None".equals(spec.get("clusterIP"))) {
                        spec.remove("clusterIP");
                        spec.remove("clusterIPs");
                    }
                    spec.remove("healthCheckNodePort");
                }
                case "Pod" -> spec.remove("nodeName");
                case "Job" -> {
                    if (!Boolean.TRUE.equals(spec.get("manualSelector"))) {
                        spec.remove("selector");
                        removeGeneratedJobLabels(spec);
                    }
                }
                case "PersistentVolumeClaim" -> {
                    Map<String, String> a = (Map<String, String>) meta.getOrDefault("annotations", Map.of());
                    if (a.containsKey("pv.kubernetes.io/bind-completed")) {
                        // bound by the controller: the binding is state, not intent
                        Map<String, Object> left = new LinkedHashMap<>(a);
                        left.keySet().removeIf(k -> k.startsWith("pv.kubernetes.io/") || k.startsWith("volume.kubernetes.io/")
                                || k.startsWith("volume.beta.kubernetes.io/"));
                        putOrRemove(meta, "annotations", left);
                        spec.remove("volumeName");
                    }
                }
                default -> { }
            }
            putOrRemove(m, "spec", spec);
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private static void removeGeneratedJobLabels(Map<String, Object> spec) {
        if (spec.get("template") instanceof Map<?, ?> t && t.get("metadata") instanceof Map<?, ?> tm
                && tm.get("labels") instanceof Map<?, ?> l) {
            Map<String, Object> template = new LinkedHashMap<>((Map<String, Object>) t);
            Map<String, Object> templateMeta = new LinkedHashMap<>((Map<String, Object>) tm);
            Map<String, Object> labels = new LinkedHashMap<>((Map<String, Object>) l);
            for (Iterator<String> it = labels.keySet().iterator(); it.hasNext(); ) {
                String k = it.next();
                if (k.equals("controller-uid") || k.equals("batch.kubernetes.io/controller-uid")) {
                    it.remove();
                }
            }
            putOrRemove(templateMeta, "labels", labels);
            template.put("metadata", templateMeta);
            spec.put("template", template);
        }
    }

    private static void putOrRemove(Map<String, Object> m, String key, Map<String, Object> value) {
        if (value.isEmpty()) {
            m.remove(key);
        } else {
            m.put(key, value);
        }
    }
}
