package dev.berth.app.topology.compose;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.berth.app.editor.YamlText;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Manifests in and out: drafts exported as one multi-document YAML or as a folder of files (one
 * per object, numbered in apply order so {@code kubectl apply -f DIR} takes them in that order
 * too); a folder of {@code .yaml}, {@code .yml} and {@code .json} files (multi-document, and
 * {@code kind: List}) read as objects, with a warning for each document that is not one.
 */
public final class Manifests {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Objects read, and what was skipped and why. */
    public record Imported(List<GenericKubernetesResource> objects, List<String> warnings) {}

    private Manifests() {}

    /** The objects as one YAML stream, in apply order, without server-managed fields. */
    public static String multiDocument(List<GenericKubernetesResource> objects) {
        StringBuilder sb = new StringBuilder();
        for (GenericKubernetesResource o : ApplyOrder.sort(objects)) {
            sb.append("---\n").append(YamlText.forEditing(o));
        }
        return sb.toString();
    }

    /** Writes one file per object into {@code dir} (created if missing); answers the files written. */
    public static List<Path> writeFolder(Path dir, List<GenericKubernetesResource> objects) throws IOException {
        Files.createDirectories(dir);
        List<GenericKubernetesResource> sorted = ApplyOrder.sort(objects);
        int width = String.valueOf(sorted.size()).length();
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            GenericKubernetesResource o = sorted.get(i);
            String ns = o.getMetadata().getNamespace();
            String file = String.format(Locale.ROOT, "%0" + Math.max(2, width) + "d-%s-%s%s.yaml", i + 1,
                    o.getKind().toLowerCase(Locale.ROOT), ns == null || ns.isEmpty() ? "" : ns + "-", o.getMetadata().getName());
            Path p = dir.resolve(file);
            Files.writeString(p, YamlText.forEditing(o));
            out.add(p);
        }
        return out;
    }

    public static void writeFile(Path file, List<GenericKubernetesResource> objects) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, multiDocument(objects));
    }

    /**
     * Every object in the manifests under {@code dir} (sub-folders too, in name order). Namespaced
     * objects without a namespace are put in {@code namespace}.
     */
    public static Imported readFolder(Path dir, String namespace) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
            }).sorted().toList();
        }
        List<GenericKubernetesResource> objects = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (Path f : files) {
            Imported one = read(Files.readString(f), dir.relativize(f).toString(), namespace);
            objects.addAll(one.objects());
            warnings.addAll(one.warnings());
        }
        return dedupe(objects, warnings);
    }

    /** The objects in one text (YAML or JSON, any number of documents); {@code source} names it in warnings. */
    public static Imported read(String text, String source, String namespace) {
        List<GenericKubernetesResource> objects = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        int doc = 0;
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(text)) {
            while (it.hasNextValue()) {
                doc++;
                JsonNode n = it.nextValue();
                if (n == null || n.isNull() || n.isMissingNode() || n.isEmpty() && n.isObject()) {
                    continue;
                }
                add(n, source + " (document " + doc + ")", namespace, objects, warnings);
            }
        } catch (IOException | RuntimeException e) {
            String msg = e instanceof JsonProcessingException j ? j.getOriginalMessage() + " at line "
                    + (j.getLocation() == null ? "?" : j.getLocation().getLineNr()) : e.getMessage();
            warnings.add(source + ": not valid YAML: " + msg + "; the rest of the file is skipped");
        }
        return new Imported(objects, warnings);
    }

    private static void add(JsonNode n, String where, String namespace, List<GenericKubernetesResource> objects,
                            List<String> warnings) {
        if (!(n instanceof ObjectNode obj)) {
            warnings.add(where + ": not an object (a YAML mapping), skipped");
            return;
        }
        if (obj.path("kind").asText().endsWith("List") && obj.path("items").isArray()) {
            int i = 0;
            for (JsonNode item : obj.path("items")) {
                add(item, where + " items[" + i++ + "]", namespace, objects, warnings);
            }
            return;
        }
        for (String f : new String[] {"apiVersion", "kind"}) {
            if (!obj.path(f).isTextual() || obj.path(f).asText().isBlank()) {
                warnings.add(where + ": " + f + ": Required value: every object names its " + f + "; skipped");
                return;
            }
        }
        if (!obj.path("metadata").path("name").isTextual() || obj.path("metadata").path("name").asText().isBlank()) {
            String generate = obj.path("metadata").path("generateName").asText("");
            warnings.add(where + ": metadata.name: Required value" + (generate.isEmpty() ? "" : " (generateName \""
                    + generate + "\" needs a create, which an apply is not)") + "; skipped");
            return;
        }
        GenericKubernetesResource o = YAML.convertValue(obj, GenericKubernetesResource.class);
        if (ApplyOrder.namespaced(o.getKind())) {
            if (o.getMetadata().getNamespace() == null || o.getMetadata().getNamespace().isEmpty()) {
                o.getMetadata().setNamespace(namespace);
            }
        } else {
            o.getMetadata().setNamespace(null);
        }
        objects.add(o);
    }

    /** Two documents naming one object: the later one wins, as it would with kubectl apply. */
    private static Imported dedupe(List<GenericKubernetesResource> objects, List<String> warnings) {
        Set<DraftKey> seen = new HashSet<>();
        List<GenericKubernetesResource> out = new ArrayList<>();
        for (int i = objects.size() - 1; i >= 0; i--) {
            DraftKey k = DraftKey.of(objects.get(i));
            if (seen.add(k)) {
                out.addFirst(objects.get(i));
            } else {
                warnings.add(k + " appears more than once; the last one is kept");
            }
        }
        return new Imported(out, warnings);
    }
}
