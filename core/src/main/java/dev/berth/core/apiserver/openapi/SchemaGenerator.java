package dev.berth.core.apiserver.openapi;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Quantity;

import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * OpenAPI 3 schemas of fabric8 model classes, found through Jackson's view of their JSON properties.
 * Every bean class becomes a named component; properties refer to it as Kubernetes does, through
 * {@code allOf: [{$ref}]}.
 */
final class SchemaGenerator {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final SchemaNames names;
    private final TreeMap<String, ObjectNode> components = new TreeMap<>();

    SchemaGenerator(SchemaNames names) {
        this.names = names;
    }

    /** The components generated so far, sorted by name. */
    TreeMap<String, ObjectNode> components() {
        return components;
    }

    /** Adds the component of a bean class (and of everything it refers to) and returns its name. */
    String define(Class<?> type) {
        if (type == Quantity.class) {
            return defineQuantity();
        }
        if (type == IntOrString.class) {
            return defineIntOrString();
        }
        String name = names.of(type);
        if (components.containsKey(name)) {
            return name;
        }
        ObjectNode schema = JSON.objectNode();
        components.put(name, schema);
        schema.put("type", "object");
        ObjectNode properties = JSON.objectNode();
        JavaType javaType = MAPPER.constructType(type);
        BeanDescription bean = MAPPER.getSerializationConfig().introspect(javaType);
        for (BeanPropertyDefinition p : bean.findProperties()) {
            if (p.getName().equals("additionalProperties") || !p.couldSerialize()) {
                continue;
            }
            com.fasterxml.jackson.databind.JsonNode ps = schemaOf(p.getPrimaryType());
            dev.berth.core.api.patch.PatchSchema.ListRule rule =
                    dev.berth.core.api.patch.PatchStrategies.listRule(type, p.getName());
            if (rule != null && ps instanceof ObjectNode po) {
                po = po.deepCopy();
                if (rule.strategicMergeKey() != null) {
                    po.put("x-kubernetes-patch-merge-key", rule.strategicMergeKey());
                    po.put("x-kubernetes-patch-strategy", "merge");
                } else if (rule.strategicSet()) {
                    po.put("x-kubernetes-patch-strategy", "merge");
                }
                switch (rule.applyType()) {
                    case MAP -> {
                        po.put("x-kubernetes-list-type", "map");
                        com.fasterxml.jackson.databind.node.ArrayNode keys = po.putArray("x-kubernetes-list-map-keys");
                        rule.applyKeys().forEach(keys::add);
                    }
                    case SET -> po.put("x-kubernetes-list-type", "set");
                    default -> { }
                }
                ps = po;
            }
            properties.set(p.getName(), ps);
        }
        if (!properties.isEmpty()) {
            schema.set("properties", properties);
        }
        return name;
    }

    private String defineQuantity() {
        components.computeIfAbsent(SchemaNames.QUANTITY, n -> {
            ObjectNode s = JSON.objectNode();
            s.put("description", "Quantity is a fixed-point representation of a number, serialized as a string "
                    + "like \"500m\" or \"1Gi\" (a plain number is accepted too).");
            ArrayNode oneOf = s.putArray("oneOf");
            oneOf.addObject().put("type", "string");
            oneOf.addObject().put("type", "number");
            return s;
        });
        return SchemaNames.QUANTITY;
    }

    private String defineIntOrString() {
        components.computeIfAbsent(SchemaNames.INT_OR_STRING, n -> {
            ObjectNode s = JSON.objectNode();
            s.put("description", "IntOrString is a type that can hold an int32 or a string.");
            s.put("format", "int-or-string");
            ArrayNode oneOf = s.putArray("oneOf");
            oneOf.addObject().put("type", "integer");
            oneOf.addObject().put("type", "string");
            return s;
        });
        return SchemaNames.INT_OR_STRING;
    }

    ObjectNode schemaOf(JavaType t) {
        Class<?> raw = t.getRawClass();
        ObjectNode s = JSON.objectNode();
        if (raw == String.class || raw == Character.class || raw == char.class) {
            s.put("type", "string");
        } else if (raw == Integer.class || raw == int.class || raw == Short.class || raw == short.class
                || raw == Byte.class || raw == byte.class) {
            s.put("type", "integer").put("format", "int32");
        } else if (raw == Long.class || raw == long.class) {
            s.put("type", "integer").put("format", "int64");
        } else if (raw == Double.class || raw == double.class || raw == Float.class || raw == float.class) {
            s.put("type", "number").put("format", "double");
        } else if (raw == Boolean.class || raw == boolean.class) {
            s.put("type", "boolean");
        } else if (raw == byte[].class) {
            s.put("type", "string").put("format", "byte");
        } else if (raw.isEnum()) {
            s.put("type", "string");
            ArrayNode values = s.putArray("enum");
            for (Object c : raw.getEnumConstants()) {
                values.add(c.toString());
            }
        } else if (t.isArrayType() || Collection.class.isAssignableFrom(raw)) {
            s.put("type", "array");
            s.set("items", schemaOf(t.getContentType()));
        } else if (Map.class.isAssignableFrom(raw)) {
            s.put("type", "object");
            s.set("additionalProperties", schemaOf(t.getContentType()));
        } else if (hasCustomSerializer(raw) && raw != Quantity.class) {
            // Types fabric8 writes as a string of their own (MicroTime, Duration).
            s.put("type", "string");
            if (raw.getSimpleName().equals("MicroTime")) {
                s.put("format", "date-time");
            }
        } else if (raw == Object.class || raw.isInterface() || Modifier.isAbstract(raw.getModifiers())
                || JsonNode.class.isAssignableFrom(raw) || raw.getSimpleName().equals("AnyType")
                || raw.getSimpleName().equals("RawExtension") || !isModel(raw)) {
            // Free-form JSON: any embedded object or value.
            s.put("x-kubernetes-preserve-unknown-fields", true);
        } else {
            String name = define(raw);
            s.putArray("allOf").addObject().put("$ref", "#/components/schemas/" + name);
        }
        return s;
    }

    private static boolean hasCustomSerializer(Class<?> raw) {
        JsonSerialize annotation = raw.getAnnotation(JsonSerialize.class);
        return annotation != null && annotation.using() != JsonSerializer.None.class;
    }

    private static boolean isModel(Class<?> raw) {
        return KubernetesResource.class.isAssignableFrom(raw) || raw == Quantity.class || raw == IntOrString.class
                || raw.getPackageName().startsWith("io.fabric8.kubernetes.api.model");
    }
}
