package dev.berth.core.apiserver.openapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;
import io.fabric8.kubernetes.api.model.ObjectMeta;


import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@code /openapi/v3} discovery index and one OpenAPI 3.0 document per group-version, built once
 * from the served kinds and kept as bytes.
 *
 * <p>Each kind gets Kubernetes-shaped paths whose operations carry
 * {@code x-kubernetes-group-version-kind} and, for post, put and patch, the {@code fieldValidation}
 * query parameter: that is how kubectl learns it may leave validation to the server. The schemas
 * under {@code components.schemas} serve {@code kubectl explain}.
 */
public final class OpenApiV3 {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Map<String, byte[]> documents;
    private final Map<String, String> hashes;
    private final byte[] index;

    private OpenApiV3(Map<String, byte[]> documents) {
        this.documents = Map.copyOf(documents);
        Map<String, String> h = new TreeMap<>();
        ObjectNode root = JSON.objectNode();
        ObjectNode paths = root.putObject("paths");
        new TreeMap<>(documents).forEach((path, bytes) -> {
            String hash = sha512(bytes);
            h.put(path, hash);
            paths.putObject(path).put("serverRelativeURL", "/openapi/v3/" + path + "?hash=" + hash);
        });
        this.hashes = Map.copyOf(h);
        this.index = bytes(root);
    }

    /**
     * Builds every document.
     *
     * @throws ApiException 400 when a custom resource's schema is not a JSON object
     */
    public static OpenApiV3 build(List<ServedKind> kinds) {
        SchemaNames names = new SchemaNames();
        kinds.forEach(names::learn);
        Map<String, List<ServedKind>> byGroupVersion = new TreeMap<>();
        for (ServedKind k : kinds) {
            byGroupVersion.computeIfAbsent(k.groupVersionPath(), p -> new ArrayList<>()).add(k);
        }
        Map<String, byte[]> documents = new LinkedHashMap<>();
        byGroupVersion.forEach((path, served) -> documents.put(path, bytes(document(names, served))));
        return new OpenApiV3(documents);
    }

    /** The index served at {@code /openapi/v3}. */
    public byte[] index() {
        return index.clone();
    }

    /** The document of a group-version path ({@code api/v1}, {@code apis/apps/v1}), if served. */
    public Optional<byte[]> document(String groupVersionPath) {
        byte[] d = documents.get(stripSlashes(groupVersionPath));
        return d == null ? Optional.empty() : Optional.of(d.clone());
    }

    /** The content hash of a document, as the index's {@code ?hash=} carries it. */
    public Optional<String> hash(String groupVersionPath) {
        return Optional.ofNullable(hashes.get(stripSlashes(groupVersionPath)));
    }

    public List<String> groupVersionPaths() {
        return List.copyOf(new TreeMap<>(documents).keySet());
    }

    private static String stripSlashes(String path) {
        String p = path;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    static ObjectNode document(SchemaNames names, List<ServedKind> kinds) {
        SchemaGenerator generator = new SchemaGenerator(names);
        ObjectNode doc = JSON.objectNode();
        doc.put("openapi", "3.0.0");
        ObjectNode info = doc.putObject("info");
        info.put("title", "Kubernetes");
        info.put("version", "v1.32.0");
        ObjectNode paths = doc.putObject("paths");
        String objectMeta = generator.define(ObjectMeta.class);
        String deleteOptions = generator.define(io.fabric8.kubernetes.api.model.DeleteOptions.class);
        String status = generator.define(io.fabric8.kubernetes.api.model.Status.class);
        generator.components().put(SchemaNames.META + "Patch", (ObjectNode) JSON.objectNode()
                .put("description", "Patch is provided to give a concrete name and type to the Kubernetes PATCH "
                        + "request body.")
                .put("type", "object"));
        for (ServedKind k : kinds) {
            String schemaName;
            if (k.fabric8Type() != null) {
                schemaName = generator.define(k.fabric8Type());
            } else {
                schemaName = SchemaNames.customResource(k.group(), k.version(), k.kind());
                generator.components().put(schemaName, customResourceSchema(k, objectMeta));
            }
            ObjectNode schema = generator.components().get(schemaName);
            ArrayNode gvks = JSON.arrayNode();
            gvks.add(gvk(k));
            schema.set("x-kubernetes-group-version-kind", gvks);
            String listName = schemaName + "List";
            generator.components().put(listName, listSchema(k, schemaName, generator));
            addPaths(paths, k, schemaName, listName, deleteOptions, status);
        }
        ObjectNode components = doc.putObject("components");
        ObjectNode schemas = components.putObject("schemas");
        generator.components().forEach(schemas::set);
        return doc;
    }

    private static ObjectNode customResourceSchema(ServedKind k, String objectMeta) {
        JsonNode given = k.crdSchema();
        if (given != null && !given.isObject()) {
            throw ApiException.badRequest("openAPIV3Schema of " + k.resource() + "." + k.group() + "/" + k.version()
                    + ": must be a JSON object");
        }
        ObjectNode schema = given == null ? JSON.objectNode() : ((ObjectNode) given).deepCopy();
        if (given == null) {
            schema.put("x-kubernetes-preserve-unknown-fields", true);
        }
        schema.put("type", "object");
        ObjectNode properties = schema.has("properties") && schema.get("properties").isObject()
                ? (ObjectNode) schema.get("properties") : schema.putObject("properties");
        properties.putObject("apiVersion").put("type", "string").put("description",
                "APIVersion defines the versioned schema of this representation of an object.");
        properties.putObject("kind").put("type", "string").put("description",
                "Kind is a string value representing the REST resource this object represents.");
        ObjectNode metadata = properties.putObject("metadata");
        metadata.put("description", "Standard object's metadata.");
        metadata.putArray("allOf").addObject().put("$ref", "#/components/schemas/" + objectMeta);
        return schema;
    }

    private static ObjectNode listSchema(ServedKind k, String itemName, SchemaGenerator generator) {
        String listMeta = generator.define(io.fabric8.kubernetes.api.model.ListMeta.class);
        ObjectNode list = JSON.objectNode();
        list.put("description", k.kind() + "List is a list of " + k.kind() + " objects.");
        list.put("type", "object");
        list.putArray("required").add("items");
        ObjectNode props = list.putObject("properties");
        props.putObject("apiVersion").put("type", "string");
        ObjectNode items = props.putObject("items");
        items.put("type", "array");
        items.putObject("items").putArray("allOf").addObject().put("$ref", "#/components/schemas/" + itemName);
        props.putObject("kind").put("type", "string");
        props.putObject("metadata").putArray("allOf").addObject().put("$ref", "#/components/schemas/" + listMeta);
        ObjectNode listGvk = gvk(k);
        listGvk.put("kind", k.kind() + "List");
        list.putArray("x-kubernetes-group-version-kind").add(listGvk);
        return list;
    }

    private static ObjectNode gvk(ServedKind k) {
        ObjectNode g = JSON.objectNode();
        g.put("group", k.group());
        g.put("kind", k.kind());
        g.put("version", k.version());
        return g;
    }

    private static void addPaths(ObjectNode paths, ServedKind k, String schemaName, String listName,
                                 String deleteOptions, String status) {
        String prefix = "/" + k.groupVersionPath();
        String collection = k.namespaced() ? prefix + "/namespaces/{namespace}/" + k.resource() : prefix + "/" + k.resource();
        String item = collection + "/{name}";
        String tag = (k.group().isEmpty() ? "core" : k.group()) + "_" + k.version();
        String opKind = k.kind();
        String opGroup = operationGroup(k);

        ObjectNode col = paths.putObject(collection);
        col.set("get", operation(k, "list", "list" + opGroup + (k.namespaced() ? "Namespaced" : "") + opKind, tag,
                listName, null, List.of("labelSelector", "fieldSelector", "limit", "continue", "resourceVersion",
                        "timeoutSeconds", "watch")));
        col.set("post", operation(k, "post", "create" + opGroup + (k.namespaced() ? "Namespaced" : "") + opKind, tag,
                schemaName, schemaName, List.of("dryRun", "fieldManager", "fieldValidation")));
        col.set("delete", operation(k, "deletecollection",
                "deletecollection" + opGroup + (k.namespaced() ? "Namespaced" : "") + opKind, tag, status,
                deleteOptions, List.of("labelSelector", "fieldSelector", "dryRun", "gracePeriodSeconds",
                        "propagationPolicy")));
        col.set("parameters", pathParameters(k.namespaced(), false));

        ObjectNode one = paths.putObject(item);
        String suffix = (k.namespaced() ? "Namespaced" : "") + opKind;
        one.set("get", operation(k, "get", "read" + opGroup + suffix, tag, schemaName, null, List.of()));
        one.set("put", operation(k, "put", "replace" + opGroup + suffix, tag, schemaName, schemaName,
                List.of("dryRun", "fieldManager", "fieldValidation")));
        ObjectNode patch = operation(k, "patch", "patch" + opGroup + suffix, tag, schemaName, null,
                List.of("dryRun", "fieldManager", "fieldValidation", "force"));
        ObjectNode patchBody = patch.putObject("requestBody");
        ObjectNode patchContent = patchBody.putObject("content");
        for (String type : List.of("application/apply-patch+yaml", "application/json-patch+json",
                "application/merge-patch+json", "application/strategic-merge-patch+json")) {
            patchContent.putObject(type).putObject("schema").put("$ref",
                    "#/components/schemas/" + SchemaNames.META + "Patch");
        }
        patchBody.put("required", true);
        one.set("patch", patch);
        one.set("delete", operation(k, "delete", "delete" + opGroup + suffix, tag, status, deleteOptions,
                List.of("dryRun", "gracePeriodSeconds", "propagationPolicy")));
        one.set("parameters", pathParameters(k.namespaced(), true));

        if (k.namespaced()) {
            ObjectNode all = paths.putObject(prefix + "/" + k.resource());
            all.set("get", operation(k, "list", "list" + opGroup + opKind + "ForAllNamespaces", tag, listName, null,
                    List.of("labelSelector", "fieldSelector", "limit", "continue", "resourceVersion",
                            "timeoutSeconds", "watch")));
        }
    }

    private static String operationGroup(ServedKind k) {
        StringBuilder sb = new StringBuilder();
        String group = k.group().isEmpty() ? "core" : k.group().split("\\.", 2)[0];
        sb.append(Character.toUpperCase(group.charAt(0))).append(group.substring(1));
        sb.append(Character.toUpperCase(k.version().charAt(0))).append(k.version().substring(1));
        return sb.toString();
    }

    private static ObjectNode operation(ServedKind k, String action, String operationId, String tag, String response,
                                        String requestBody, List<String> queryParameters) {
        ObjectNode op = JSON.objectNode();
        op.putArray("tags").add(tag);
        op.put("operationId", operationId);
        ArrayNode params = op.putArray("parameters");
        for (String q : queryParameters) {
            params.add(queryParameter(q));
        }
        if (requestBody != null) {
            ObjectNode body = op.putObject("requestBody");
            body.putObject("content").putObject("*/*").putObject("schema")
                    .put("$ref", "#/components/schemas/" + requestBody);
            body.put("required", !action.startsWith("delete"));
        }
        ObjectNode responses = op.putObject("responses");
        for (String code : action.equals("post") ? List.of("200", "201", "202")
                : action.equals("put") || action.equals("patch") ? List.of("200", "201") : List.of("200")) {
            ObjectNode r = responses.putObject(code);
            r.put("description", code.equals("201") ? "Created" : code.equals("202") ? "Accepted" : "OK");
            ObjectNode content = r.putObject("content");
            for (String type : List.of("application/json", "application/yaml", "application/vnd.kubernetes.protobuf")) {
                content.putObject(type).putObject("schema").put("$ref", "#/components/schemas/" + response);
            }
        }
        responses.putObject("401").put("description", "Unauthorized");
        op.put("x-kubernetes-action", action);
        op.set("x-kubernetes-group-version-kind", gvk(k));
        return op;
    }

    private static final Map<String, String[]> QUERY = Map.ofEntries(
            Map.entry("dryRun", new String[] {"string", "When present, indicates that modifications should not be "
                    + "persisted. Valid values are: - All: all dry run stages will be processed"}),
            Map.entry("fieldManager", new String[] {"string", "fieldManager is a name associated with the actor or "
                    + "entity that is making these changes."}),
            Map.entry("fieldValidation", new String[] {"string", "fieldValidation instructs the server on how to "
                    + "handle objects in the request containing unknown or duplicate fields. Valid values are: "
                    + "Ignore, Warn (the default) and Strict."}),
            Map.entry("force", new String[] {"boolean", "Force is going to \"force\" Apply requests. It is required "
                    + "for apply requests and must be unset for non-apply patch requests."}),
            Map.entry("labelSelector", new String[] {"string", "A selector to restrict the list of returned objects "
                    + "by their labels. Defaults to everything."}),
            Map.entry("fieldSelector", new String[] {"string", "A selector to restrict the list of returned objects "
                    + "by their fields. Defaults to everything."}),
            Map.entry("limit", new String[] {"integer", "limit is a maximum number of responses to return for a "
                    + "list call."}),
            Map.entry("continue", new String[] {"string", "The continue option should be set when retrieving more "
                    + "results from the server."}),
            Map.entry("resourceVersion", new String[] {"string", "resourceVersion sets a constraint on what "
                    + "resource versions a request may be served from."}),
            Map.entry("timeoutSeconds", new String[] {"integer", "Timeout for the list/watch call."}),
            Map.entry("watch", new String[] {"boolean", "Watch for changes to the described resources and return "
                    + "them as a stream of add, update, and remove notifications."}),
            Map.entry("gracePeriodSeconds", new String[] {"integer", "The duration in seconds before the object "
                    + "should be deleted."}),
            Map.entry("propagationPolicy", new String[] {"string", "Whether and how garbage collection will be "
                    + "performed: Orphan, Background or Foreground."}),
            Map.entry("pretty", new String[] {"string", "If 'true', then the output is pretty printed."}));

    private static ObjectNode queryParameter(String name) {
        String[] def = QUERY.get(name);
        ObjectNode p = JSON.objectNode();
        p.put("name", name);
        p.put("in", "query");
        p.put("description", def[1]);
        p.putObject("schema").put("type", def[0]).put("uniqueItems", true);
        return p;
    }

    private static ArrayNode pathParameters(boolean namespaced, boolean named) {
        ArrayNode params = JSON.arrayNode();
        if (named) {
            params.add(pathParameter("name", "name of the object"));
        }
        if (namespaced) {
            params.add(pathParameter("namespace", "object name and auth scope, such as for teams and projects"));
        }
        params.add(queryParameter("pretty"));
        return params;
    }

    private static ObjectNode pathParameter(String name, String description) {
        ObjectNode p = JSON.objectNode();
        p.put("name", name);
        p.put("in", "path");
        p.put("description", description);
        p.put("required", true);
        p.putObject("schema").put("type", "string").put("uniqueItems", true);
        return p;
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("OpenAPI document does not serialize", e);
        }
    }

    private static String sha512(byte[] bytes) {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-512").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 is missing from this JVM", e);
        }
    }

}
