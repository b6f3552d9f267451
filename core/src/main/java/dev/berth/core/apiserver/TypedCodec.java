package dev.berth.core.apiserver;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.api.FieldError;
import dev.berth.core.api.Json;
import dev.berth.core.apiserver.registry.ResourceType;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns request trees into typed objects (fabric8 model classes for built-in kinds) and typed
 * objects into the canonical stored JSON. Fields the type does not know are found here: with
 * {@code fieldValidation=Strict} they are an error, with {@code Warn} a warning, and they are
 * never stored.
 */
public final class TypedCodec {
    public enum FieldValidation { IGNORE, WARN, STRICT }

    private record Accessors(Method additional, List<Method> children, List<String> names) {}

    private final Map<Class<?>, Accessors> accessors = new ConcurrentHashMap<>();
    /** Model classes whose content is free-form JSON by design: their "additional properties" are data. */
    private static final java.util.Set<String> FREE_FORM = java.util.Set.of("FieldsV1", "RawExtension", "AnyType",
            "JSON", "GenericKubernetesResource", "JSONSchemaPropsOrBool", "JSONSchemaPropsOrArray",
            "JSONSchemaPropsOrStringArray");

    /** Schema-driven decoding of custom resources: prunes unknown fields (returning their paths) and sets defaults. */
    public interface CustomResourceDecoding {
        List<String> normalize(ResourceType type, ObjectNode tree);
    }

    private volatile CustomResourceDecoding customResources;

    public void useCustomResourceDecoding(CustomResourceDecoding decoding) {
        this.customResources = decoding;
    }

    public static FieldValidation fieldValidation(String param) {
        if (param == null || param.isEmpty()) {
            return FieldValidation.WARN;
        }
        return switch (param) {
            case "Strict" -> FieldValidation.STRICT;
            case "Warn" -> FieldValidation.WARN;
            case "Ignore" -> FieldValidation.IGNORE;
            default -> throw ApiException.badRequest("fieldValidation: invalid value \"" + param
                    + "\": must be one of Ignore, Warn or Strict");
        };
    }

    /**
     * Decodes {@code tree} as an object of {@code type}; unknown fields are reported in
     * {@code warnings} (Warn), refused (Strict) and dropped in every case.
     */
    public HasMetadata decode(ResourceType type, ObjectNode tree, FieldValidation validation, List<String> warnings) {
        if (type.isCustom()) {
            CustomResourceDecoding c = customResources;
            if (c != null) {
                reportUnknown(type, tree.path("metadata").path("name").asText(null), c.normalize(type, tree),
                        validation, warnings);
            }
            return Json.convert(tree, GenericKubernetesResource.class);
        }
        HasMetadata obj;
        try {
            obj = (HasMetadata) Json.MAPPER.treeToValue(tree, type.type());
        } catch (com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
            throw ApiException.badRequest("unable to decode " + type.kind() + ": " + describe(e));
        } catch (Exception e) {
            throw ApiException.badRequest("unable to decode " + type.kind() + ": " + e.getMessage());
        }
        if (obj == null) {
            throw ApiException.badRequest("unable to decode " + type.kind() + ": empty object");
        }
        List<String> unknown = new ArrayList<>();
        strip(obj, "", unknown, 0);
        reportUnknown(type, obj.getMetadata() == null ? null : obj.getMetadata().getName(), unknown, validation, warnings);
        return obj;
    }

    private static void reportUnknown(ResourceType type, String name, List<String> unknown, FieldValidation validation,
                                      List<String> warnings) {
        if (!unknown.isEmpty()) {
            if (validation == FieldValidation.STRICT) {
                List<FieldError> causes = unknown.stream()
                        .map(f -> new FieldError("FieldValueInvalid", f, "unknown field \"" + f + "\"", null)).toList();
                throw new ApiException(400, "BadRequest", "strict decoding error: " + String.join(", ",
                        unknown.stream().map(f -> "unknown field \"" + f + "\"").toList()), type.group(), type.kind(),
                        name, causes, null);
            }
            if (validation == FieldValidation.WARN) {
                for (String f : unknown) {
                    warnings.add("unknown field \"" + f + "\"");
                }
            }
        }
    }

    private static String describe(com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
        StringBuilder path = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!path.isEmpty()) path.append('.');
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        String target = e.getTargetType() == null ? "value" : e.getTargetType().getSimpleName();
        return "field " + path + ": cannot use this value as " + target;
    }

    /** Collects and clears the unknown fields (fabric8's additionalProperties) of a typed tree. */
    private void strip(Object o, String path, List<String> unknown, int depth) {
        if (o == null || depth > 64 || o instanceof String || o instanceof Number || o instanceof Boolean
                || o instanceof Quantity || o instanceof IntOrString || o instanceof Enum<?>) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                strip(e, path + "[" + i++ + "]", unknown, depth + 1);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getValue() instanceof String)) {
                    strip(e.getValue(), path + "[" + e.getKey() + "]", unknown, depth + 1);
                }
            }
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model") || FREE_FORM.contains(o.getClass().getSimpleName())) {
            return;
        }
        Accessors acc = accessors.computeIfAbsent(o.getClass(), TypedCodec::introspect);
        try {
            if (acc.additional() != null) {
                @SuppressWarnings("unchecked")
                Map<String, Object> extra = (Map<String, Object>) acc.additional().invoke(o);
                if (extra != null && !extra.isEmpty()) {
                    for (String k : extra.keySet()) {
                        unknown.add(path.isEmpty() ? k : path + "." + k);
                    }
                    extra.clear();
                }
            }
            for (int i = 0; i < acc.children().size(); i++) {
                Object child = acc.children().get(i).invoke(o);
                if (child != null) {
                    String name = acc.names().get(i);
                    strip(child, path.isEmpty() ? name : path + "." + name, unknown, depth + 1);
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot inspect " + o.getClass().getName(), e);
        }
    }

    private static Accessors introspect(Class<?> c) {
        Method additional = null;
        try {
            additional = c.getMethod("getAdditionalProperties");
        } catch (NoSuchMethodException e) {
            // not every model class has one
        }
        JavaType jt = Json.MAPPER.constructType(c);
        BeanDescription desc = Json.MAPPER.getSerializationConfig().introspect(jt);
        List<Method> children = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (BeanPropertyDefinition p : desc.findProperties()) {
            if (p.getGetter() == null || p.isTypeId()) {
                continue;
            }
            Class<?> rt = p.getGetter().getRawType();
            if (rt.isPrimitive() || rt == String.class || Number.class.isAssignableFrom(rt) || rt == Boolean.class
                    || rt == Quantity.class || rt == IntOrString.class) {
                continue;
            }
            children.add(p.getGetter().getAnnotated());
            names.add(p.getName());
        }
        return new Accessors(additional, children, names);
    }

    /** The canonical stored form: compact JSON, apiVersion/kind/metadata first, no resourceVersion. */
    public byte[] encode(HasMetadata obj) {
        String rv = obj.getMetadata().getResourceVersion();
        obj.getMetadata().setResourceVersion(null);
        try {
            return Json.bytes(obj);
        } finally {
            obj.getMetadata().setResourceVersion(rv);
        }
    }

    /** A deep copy through JSON. */
    public HasMetadata copy(ResourceType type, HasMetadata obj) {
        Class<?> c = type.isCustom() ? GenericKubernetesResource.class : type.type();
        return (HasMetadata) Json.convert(Json.tree(obj), c);
    }

    public HasMetadata fromJson(ResourceType type, byte[] json) {
        try {
            Class<?> c = type.isCustom() ? GenericKubernetesResource.class : type.type();
            return (HasMetadata) Json.MAPPER.readValue(json, c);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
