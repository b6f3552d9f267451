package dev.berth.app.transfer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Applies a folder of YAML (an export, or any folder of manifests) to a cluster with server-side
 * apply (field manager {@value #FIELD_MANAGER}, taking over conflicting fields), in dependency
 * order: Namespaces, then CustomResourceDefinitions (waiting until they are established), then
 * configuration and access (service accounts, secrets, config maps, RBAC, storage, quotas), then
 * Services, then workloads, then everything else (ingresses, custom resources). A file that cannot
 * be read or applied is reported with its path and the server's reason; the others still go in.
 */
public final class ClusterImport {
    public static final String FIELD_MANAGER = "berth-import";

    /** One object read from a file. */
    public record Item(Path file, GenericKubernetesResource object) {
        String describe() {
            String ns = object.getMetadata().getNamespace();
            return object.getKind() + " " + (ns == null || ns.isEmpty() ? "" : ns + "/") + object.getMetadata().getName();
        }
    }

    /** How many objects went in, and what failed (file: reason). */
    public record Result(int applied, List<String> failures) {}

    private static final List<List<String>> ORDER = List.of(
            List.of("Namespace"),
            List.of("CustomResourceDefinition"),
            List.of("ServiceAccount", "Secret", "ConfigMap", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding",
                    "LimitRange", "ResourceQuota", "PriorityClass", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
                    "NetworkPolicy", "PodDisruptionBudget", "IngressClass", "RuntimeClass", "FlowSchema",
                    "PriorityLevelConfiguration", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"),
            List.of("Service", "Endpoints"),
            List.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "Pod",
                    "HorizontalPodAutoscaler"));

    private final KubernetesClient client;
    private final Duration crdWait;

    public ClusterImport(KubernetesClient client) {
        this(client, Duration.ofSeconds(30));
    }

    ClusterImport(KubernetesClient client, Duration crdWait) {
        this.client = client;
        this.crdWait = crdWait;
    }

    /** The rank of {@code kind} in the apply order: 0 first. */
    public static int rank(String kind) {
        for (int i = 0; i < ORDER.size(); i++) {
            if (ORDER.get(i).contains(kind)) {
                return i;
            }
        }
        return ORDER.size();
    }

    /** Reads every .yaml/.yml file under {@code dir} (hidden ones aside), in apply order; unreadable files go to {@code failures}. */
    public static List<Item> read(Path dir, List<String> failures) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " is not a folder: import reads a folder of YAML, as berth export writes");
        }
        YAMLMapper yaml = new YAMLMapper();
        List<Item> items = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> all = Files.walk(dir)) {
            files = all.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith(".yaml") || p.getFileName().toString().endsWith(".yml"))
                    .filter(p -> !startsHidden(dir.relativize(p)))
                    .sorted().toList();
        }
        for (Path f : files) {
            try (MappingIterator<JsonNode> docs = yaml.readerFor(JsonNode.class).readValues(f.toFile())) {
                while (docs.hasNext()) {
                    JsonNode doc = docs.next();
                    if (doc == null || doc.isNull() || doc.isEmpty()) {
                        continue;
                    }
                    GenericKubernetesResource o = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper()
                            .treeToValue(doc, GenericKubernetesResource.class);
                    String missing = o.getApiVersion() == null ? "apiVersion" : o.getKind() == null ? "kind"
                            : o.getMetadata() == null || o.getMetadata().getName() == null ? "metadata.name" : null;
                    if (missing != null) {
                        failures.add(dir.relativize(f) + ": " + missing + ": Required value");
                        continue;
                    }
                    items.add(new Item(f, o));
                }
            } catch (IOException | RuntimeException e) {
                failures.add(dir.relativize(f) + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        items.sort(Comparator.comparingInt((Item i) -> rank(i.object().getKind())).thenComparing(i -> i.file().toString()));
        return items;
    }

    private static boolean startsHidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /** Applies the folder; {@code progress} hears one line per object. */
    public Result apply(Path dir, Consumer<String> progress) throws IOException {
        List<String> failures = new ArrayList<>();
        List<Item> items = read(dir, failures);
        int applied = 0;
        int lastRank = -1;
        List<String> crds = new ArrayList<>();
        for (Item i : items) {
            int rank = rank(i.object().getKind());
            if (lastRank == rank("CustomResourceDefinition") && rank != lastRank) {
                awaitEstablished(crds, failures);
            }
            lastRank = rank;
            try {
                client.resource(i.object()).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
                applied++;
                progress.accept("applied " + i.describe());
                if (i.object().getKind().equals("CustomResourceDefinition")) {
                    crds.add(i.object().getMetadata().getName());
                }
            } catch (KubernetesClientException e) {
                String why = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
                failures.add(dir.relativize(i.file()) + ": " + i.describe() + ": " + why);
            }
        }
        if (lastRank == rank("CustomResourceDefinition")) {
            awaitEstablished(crds, failures);
        }
        return new Result(applied, failures);
    }

    private void awaitEstablished(List<String> crds, List<String> failures) {
        long deadline = System.nanoTime() + crdWait.toNanos();
        for (String name : crds) {
            while (true) {
                GenericKubernetesResource crd = client.genericKubernetesResources("apiextensions.k8s.io/v1", "CustomResourceDefinition")
                        .withName(name).get();
                if (crd != null && established(crd)) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    failures.add("CustomResourceDefinition " + name + ": not established after " + crdWait.toSeconds()
                            + " s; its custom resources may fail");
                    break;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        crds.clear();
    }

    private static boolean established(GenericKubernetesResource crd) {
        Object conditions = crd.get("status", "conditions");
        if (conditions instanceof List<?> list) {
            for (Object c : list) {
                if (c instanceof Map<?, ?> m && "Established".equals(m.get("type")) && "True".equals(m.get("status"))) {
                    return true;
                }
            }
        }
        return false;
    }
}
