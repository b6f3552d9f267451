package dev.berth.app.editor;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.util.Iterator;
import java.util.Map;

/**
 * Objects as the person reads and edits them: YAML without the fields the server manages, and
 * Secret values masked until revealed. Parsing is Jackson's YAML reader, whose errors carry the line.
 */
public final class YamlText {
    public static final String MASK = "••••••••";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR));

    /** A YAML text that is not an object, with the 1-based line of the problem (0 when unknown). */
    public static final class YamlSyntaxException extends Exception {
        private final int line;

        YamlSyntaxException(String message, int line) {
            super(message);
            this.line = line;
        }

        public int line() {
            return line;
        }
    }

    private YamlText() {}

    /** The whole object for reading, without managedFields; Secret values masked unless {@code reveal}. */
    public static String forReading(GenericKubernetesResource o, boolean reveal) {
        ObjectNode n = YAML.valueToTree(o);
        if (n.get("metadata") instanceof ObjectNode m) {
            m.remove("managedFields");
        }
        if (!reveal) {
            mask(n);
        }
        return write(n);
    }

    /** The object as a person edits it for a server-side apply: no status and no server-managed metadata. */
    public static String forEditing(GenericKubernetesResource o) {
        return write(forApply(YAML.valueToTree(o)));
    }

    /** The fields a person owns, for comparing what they apply with what is live. */
    public static String comparable(GenericKubernetesResource o) {
        return write(forApply(YAML.valueToTree(o)));
    }

    static ObjectNode forApply(ObjectNode n) {
        n.remove("status");
        if (n.get("metadata") instanceof ObjectNode m) {
            for (String f : new String[] {"managedFields", "resourceVersion", "uid", "creationTimestamp", "generation",
                    "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"}) {
                m.remove(f);
            }
            if (m.get("annotations") instanceof ObjectNode a) {
                a.remove("kubectl.kubernetes.io/last-applied-configuration");
                a.remove("deployment.kubernetes.io/revision");
                if (a.isEmpty()) {
                    m.remove("annotations");
                }
            }
        }
        return n;
    }

    /** Whether the object is a Secret, whose values the app hides. */
    public static boolean isSecret(GenericKubernetesResource o) {
        return "Secret".equals(o.getKind()) && "v1".equals(o.getApiVersion());
    }

    private static void mask(ObjectNode n) {
        if (!"Secret".equals(n.path("kind").asText())) {
            return;
        }
        for (String field : new String[] {"data", "stringData"}) {
            if (n.get(field) instanceof ObjectNode data) {
                Iterator<Map.Entry<String, JsonNode>> it = data.fields();
                while (it.hasNext()) {
                    it.next().setValue(data.textNode(MASK));
                }
            }
        }
    }

    private static String write(JsonNode n) {
        try {
            return YAML.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write YAML: " + e.getOriginalMessage(), e);
        }
    }

    /** Parses an object; the error names the line and what is wrong. */
    public static GenericKubernetesResource parse(String yaml) throws YamlSyntaxException {
        if (yaml == null || yaml.isBlank()) {
            throw new YamlSyntaxException("the text is empty: an object needs apiVersion, kind and metadata.name", 1);
        }
        JsonNode n;
        try {
            n = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            int line = loc == null ? 0 : loc.getLineNr();
            throw new YamlSyntaxException("line " + line + ": " + e.getOriginalMessage(), line);
        }
        if (!(n instanceof ObjectNode obj)) {
            throw new YamlSyntaxException("the text must be one object (a YAML mapping), not "
                    + (n == null ? "nothing" : n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)), 1);
        }
        for (String f : new String[] {"apiVersion", "kind"}) {
            if (!obj.path(f).isTextual() || obj.path(f).asText().isBlank()) {
                throw new YamlSyntaxException(f + ": Required value: every object names its " + f, 1);
            }
        }
        if (!obj.path("metadata").path("name").isTextual() || obj.path("metadata").path("name").asText().isBlank()) {
            throw new YamlSyntaxException("metadata.name: Required value: name is required", 1);
        }
        if (obj.path("kind").asText().equals("Secret") && containsMask(obj)) {
            throw new YamlSyntaxException("data: a value is still masked (" + MASK + "): reveal the Secret's values"
                    + " before editing it", 1);
        }
        return YAML.convertValue(obj, GenericKubernetesResource.class);
    }

    private static boolean containsMask(ObjectNode obj) {
        for (String field : new String[] {"data", "stringData"}) {
            JsonNode d = obj.get(field);
            if (d != null) {
                for (JsonNode v : d) {
                    if (MASK.equals(v.asText())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
