package dev.berth.core.apiserver.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.FieldError;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code openAPIV3Schema} of one CustomResourceDefinition version, used as the API server of
 * Kubernetes uses it: pruning of unknown fields, defaulting, validation of values, and the checks
 * that make a schema structural. CEL rules ({@code x-kubernetes-validations}) are not evaluated.
 */
public final class StructuralSchema {
    private static final Set<String> ROOT_FIELDS = Set.of("apiVersion", "kind", "metadata");
    private static final Set<String> TYPES = Set.of("object", "array", "string", "integer", "number", "boolean");
    private final JsonNode root;
    private final Map<String, Pattern> patterns = new ConcurrentHashMap<>();

    public StructuralSchema(JsonNode openApiV3Schema) {
        this.root = openApiV3Schema;
    }

    public JsonNode root() {
        return root;
    }

    // ---- pruning ---------------------------------------------------------------------------

    /**
     * Removes the fields the schema does not specify from a whole object (apiVersion, kind and
     * metadata always stay) and returns their paths, e.g. {@code spec.foo}.
     */
    public List<String> prune(ObjectNode object) {
        List<String> pruned = new ArrayList<>();
        pruneObject(object, root, "", true, pruned);
        return pruned;
    }

    private static void prune(JsonNode value, JsonNode schema, String path, List<String> pruned) {
        if (schema == null || schema.isMissingNode() || value == null) {
            return;
        }
        if (value instanceof ObjectNode o) {
            pruneObject(o, schema, path, schema.path("x-kubernetes-embedded-resource").asBoolean(false), pruned);
        } else if (value instanceof ArrayNode a) {
            JsonNode items = schema.path("items");
            for (int i = 0; i < a.size(); i++) {
                prune(a.get(i), items, path + "[" + i + "]", pruned);
            }
        }
    }

    private static void pruneObject(ObjectNode o, JsonNode schema, String path, boolean keepObjectMeta,
                                    List<String> pruned) {
        boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        JsonNode properties = schema.path("properties");
        JsonNode additional = schema.path("additionalProperties");
        for (Iterator<Map.Entry<String, JsonNode>> it = o.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            String child = path.isEmpty() ? name : path + "." + name;
            if (keepObjectMeta && ROOT_FIELDS.contains(name)) {
                continue;
            }
            if (properties.has(name)) {
                prune(e.getValue(), properties.get(name), child, pruned);
            } else if (additional.isObject()) {
                prune(e.getValue(), additional, child, pruned);
            } else if (!preserve && !additional.asBoolean(false)) {
                pruned.add(child);
                it.remove();
            }
        }
    }

    // ---- defaulting ------------------------------------------------------------------------

    /** Sets the schema's defaults on absent fields, at every depth, in place. */
    public void applyDefaults(ObjectNode object) {
        defaults(object, root);
    }

    private static void defaults(JsonNode value, JsonNode schema) {
        if (schema == null || schema.isMissingNode()) {
            return;
        }
        if (value instanceof ObjectNode o) {
            JsonNode properties = schema.path("properties");
            // nulls of fields that are not nullable go before defaulting (and are then defaulted)
            for (Iterator<Map.Entry<String, JsonNode>> it = o.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode s = properties.has(e.getKey()) ? properties.get(e.getKey()) : schema.path("additionalProperties");
                if (e.getValue().isNull() && s.isObject() && !s.path("nullable").asBoolean(false)) {
                    it.remove();
                }
            }
            for (Map.Entry<String, JsonNode> p : properties.properties()) {
                JsonNode d = p.getValue().get("default");
                if (d != null && !o.has(p.getKey())) {
                    o.set(p.getKey(), d.deepCopy());
                }
            }
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                JsonNode s = properties.has(e.getKey()) ? properties.get(e.getKey()) : schema.path("additionalProperties");
                if (s.isObject()) {
                    defaults(e.getValue(), s);
                }
            }
        } else if (value instanceof ArrayNode a) {
            for (JsonNode item : a) {
                defaults(item, schema.path("items"));
            }
        }
    }

    // ---- validation ------------------------------------------------------------------------

    /** Validates one value against the whole schema, e.g. a {@code default}; paths start at {@code path}. */
    public List<FieldError> validateValue(JsonNode value, String path) {
        List<FieldError> errors = new ArrayList<>();
        validate(value, root, path, errors);
        return errors;
    }

    /** Validates a whole custom resource; metadata is left to the metadata rules. */
    public List<FieldError> validate(ObjectNode object) {
        List<FieldError> errors = new ArrayList<>();
        JsonNode properties = root.path("properties");
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            if (ROOT_FIELDS.contains(e.getKey())) {
                continue;
            }
            JsonNode s = properties.get(e.getKey());
            if (s != null) {
                validate(e.getValue(), s, e.getKey(), errors);
            }
        }
        for (JsonNode r : root.path("required")) {
            if (!ROOT_FIELDS.contains(r.asText()) && !object.has(r.asText())) {
                errors.add(FieldError.required(r.asText(), ""));
            }
        }
        return errors;
    }

    private void validate(JsonNode value, JsonNode schema, String path, List<FieldError> errors) {
        if (value.isNull()) {
            if (!schema.path("nullable").asBoolean(false)) {
                String type = schema.path("type").asText("");
                if (!type.isEmpty()) {
                    errors.add(FieldError.invalid(path, "null", path + " in body must be of type " + type + ": \"null\""));
                }
            }
            return;
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (!value.isIntegralNumber() && !value.isTextual()) {
                errors.add(FieldError.invalid(path, shown(value), path + " in body must be of type integer or string: \""
                        + typeOf(value) + "\""));
                return;
            }
        } else {
            String type = schema.path("type").asText("");
            if (!type.isEmpty() && !hasType(value, type)) {
                errors.add(FieldError.invalid(path, typeOf(value), path + " in body must be of type " + type + ": \""
                        + typeOf(value) + "\""));
                return;
            }
        }
        JsonNode enumeration = schema.get("enum");
        if (enumeration != null && enumeration.isArray() && !enumeration.isEmpty()) {
            boolean found = false;
            for (JsonNode allowed : enumeration) {
                found |= allowed.equals(value) || value.isNumber() && allowed.isNumber()
                        && value.decimalValue().compareTo(allowed.decimalValue()) == 0;
            }
            if (!found) {
                List<String> supported = new ArrayList<>();
                enumeration.forEach(a -> supported.add(a.asText()));
                errors.add(FieldError.notSupported(path, value.asText(), supported));
            }
        }
        if (value.isNumber()) {
            number(value.decimalValue(), schema, path, errors);
        } else if (value.isTextual()) {
            string(value.asText(), schema, path, errors);
        } else if (value instanceof ArrayNode a) {
            array(a, schema, path, errors);
        } else if (value instanceof ObjectNode o) {
            object(o, schema, path, errors);
        }
    }

    private static void number(BigDecimal n, JsonNode schema, String path, List<FieldError> errors) {
        JsonNode min = schema.get("minimum");
        if (min != null && min.isNumber()) {
            boolean exclusive = schema.path("exclusiveMinimum").asBoolean(false);
            int c = n.compareTo(min.decimalValue());
            if (c < 0 || exclusive && c == 0) {
                errors.add(FieldError.invalid(path, n.toPlainString(), path + " in body should be greater than "
                        + (exclusive ? "" : "or equal to ") + plain(min)));
            }
        }
        JsonNode max = schema.get("maximum");
        if (max != null && max.isNumber()) {
            boolean exclusive = schema.path("exclusiveMaximum").asBoolean(false);
            int c = n.compareTo(max.decimalValue());
            if (c > 0 || exclusive && c == 0) {
                errors.add(FieldError.invalid(path, n.toPlainString(), path + " in body should be less than "
                        + (exclusive ? "" : "or equal to ") + plain(max)));
            }
        }
        JsonNode multiple = schema.get("multipleOf");
        if (multiple != null && multiple.isNumber() && multiple.decimalValue().signum() > 0
                && n.remainder(multiple.decimalValue()).signum() != 0) {
            errors.add(FieldError.invalid(path, n.toPlainString(), path + " in body should be a multiple of "
                    + plain(multiple)));
        }
    }

    private void string(String s, JsonNode schema, String path, List<FieldError> errors) {
        int length = s.codePointCount(0, s.length());
        JsonNode minLength = schema.get("minLength");
        if (minLength != null && length < minLength.asInt()) {
            errors.add(FieldError.invalid(path, s, path + " in body should be at least " + minLength.asInt()
                    + " chars long"));
        }
        JsonNode maxLength = schema.get("maxLength");
        if (maxLength != null && length > maxLength.asInt()) {
            errors.add(new FieldError("FieldValueTooLong", path, "may not be more than " + maxLength.asInt()
                    + " bytes", null));
        }
        JsonNode pattern = schema.get("pattern");
        if (pattern != null && pattern.isTextual()) {
            Pattern p = patterns.computeIfAbsent(pattern.asText(), Pattern::compile);
            if (!p.matcher(s).find()) {
                errors.add(FieldError.invalid(path, s, path + " in body should match '" + pattern.asText() + "'"));
            }
        }
        String format = schema.path("format").asText("");
        if (!format.isEmpty() && !schema.path("x-kubernetes-int-or-string").asBoolean(false) && !formatOk(format, s)) {
            errors.add(FieldError.invalid(path, s, path + " in body must be of type " + format + ": \"" + s + "\""));
        }
    }

    private static final Pattern DNS1123_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
    private static final Pattern DNS1123_SUBDOMAIN =
            Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");
    private static final Pattern BYTE = Pattern.compile("^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$");

    /** The formats Kubernetes checks; others (and the numeric ones on strings) are accepted as they come. */
    static boolean formatOk(String format, String s) {
        try {
            return switch (format) {
                case "date-time", "datetime" -> {
                    OffsetDateTime.parse(s);
                    yield true;
                }
                case "date" -> {
                    LocalDate.parse(s);
                    yield true;
                }
                case "uuid" -> {
                    UUID.fromString(s);
                    yield s.length() == 36;
                }
                case "email" -> EMAIL.matcher(s).matches();
                case "hostname" -> s.length() <= 253 && DNS1123_SUBDOMAIN.matcher(s).matches();
                case "ipv4" -> s.matches("^((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)$");
                case "byte" -> BYTE.matcher(s).matches();
                default -> true;
            };
        } catch (DateTimeParseException | IllegalArgumentException e) {
            return false;
        }
    }

    private void array(ArrayNode a, JsonNode schema, String path, List<FieldError> errors) {
        JsonNode minItems = schema.get("minItems");
        if (minItems != null && a.size() < minItems.asInt()) {
            errors.add(FieldError.invalid(path, a.size(), path + " in body should have at least " + minItems.asInt()
                    + " items"));
        }
        JsonNode maxItems = schema.get("maxItems");
        if (maxItems != null && a.size() > maxItems.asInt()) {
            errors.add(FieldError.tooMany(path, a.size(), maxItems.asInt()));
        }
        JsonNode items = schema.get("items");
        for (int i = 0; i < a.size(); i++) {
            if (items != null && items.isObject()) {
                validate(a.get(i), items, path + "[" + i + "]", errors);
            }
        }
        String listType = schema.path("x-kubernetes-list-type").asText("");
        if (listType.equals("set")) {
            for (int i = 0; i < a.size(); i++) {
                for (int j = 0; j < i; j++) {
                    if (a.get(i).equals(a.get(j))) {
                        errors.add(FieldError.duplicate(path + "[" + i + "]", shown(a.get(i))));
                    }
                }
            }
        } else if (listType.equals("map")) {
            List<String> keys = new ArrayList<>();
            schema.path("x-kubernetes-list-map-keys").forEach(k -> keys.add(k.asText()));
            List<List<JsonNode>> seen = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) {
                List<JsonNode> key = new ArrayList<>();
                for (String k : keys) {
                    key.add(a.get(i).path(k));
                }
                if (seen.contains(key)) {
                    errors.add(FieldError.duplicate(path + "[" + i + "]", shown(a.get(i))));
                }
                seen.add(key);
            }
        }
    }

    private void object(ObjectNode o, JsonNode schema, String path, List<FieldError> errors) {
        if (schema.path("x-kubernetes-embedded-resource").asBoolean(false)) {
            if (o.path("apiVersion").asText("").isEmpty()) {
                errors.add(FieldError.required(path + ".apiVersion", "must not be empty"));
            }
            if (o.path("kind").asText("").isEmpty()) {
                errors.add(FieldError.required(path + ".kind", "must not be empty"));
            }
        }
        JsonNode properties = schema.path("properties");
        JsonNode additional = schema.path("additionalProperties");
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            String child = path + "." + e.getKey();
            if (properties.has(e.getKey())) {
                validate(e.getValue(), properties.get(e.getKey()), child, errors);
            } else if (additional.isObject()) {
                validate(e.getValue(), additional, child, errors);
            }
        }
        for (JsonNode r : schema.path("required")) {
            JsonNode v = o.get(r.asText());
            if (v == null) {
                errors.add(FieldError.required(path + "." + r.asText(), ""));
            }
        }
        JsonNode minProperties = schema.get("minProperties");
        if (minProperties != null && o.size() < minProperties.asInt()) {
            errors.add(FieldError.invalid(path, o.size(), path + " in body should have at least "
                    + minProperties.asInt() + " properties"));
        }
        JsonNode maxProperties = schema.get("maxProperties");
        if (maxProperties != null && o.size() > maxProperties.asInt()) {
            errors.add(FieldError.invalid(path, o.size(), path + " in body should have at most "
                    + maxProperties.asInt() + " properties"));
        }
    }

    /** 1 rather than 1.0: bounds read as doubles print as Kubernetes prints them. */
    private static String plain(JsonNode n) {
        BigDecimal d = n.decimalValue().stripTrailingZeros();
        return d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
    }

    private static boolean hasType(JsonNode v, String type) {
        return switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isTextual();
            case "integer" -> v.isIntegralNumber() || v.isNumber() && v.decimalValue().stripTrailingZeros().scale() <= 0;
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            default -> true;
        };
    }

    private static String typeOf(JsonNode v) {
        if (v.isObject()) return "object";
        if (v.isArray()) return "array";
        if (v.isTextual()) return "string";
        if (v.isIntegralNumber()) return "integer";
        if (v.isNumber()) return "number";
        if (v.isBoolean()) return "boolean";
        return "null";
    }

    private static String shown(JsonNode v) {
        return v.isValueNode() ? v.asText() : v.toString();
    }

    // ---- structural checks -----------------------------------------------------------------

    /**
     * The reasons a schema is not structural (or not usable), with paths below {@code path}, e.g.
     * {@code spec.versions[0].schema.openAPIV3Schema.properties[spec].type}.
     */
    public static List<FieldError> structuralErrors(JsonNode schema, String path) {
        List<FieldError> errors = new ArrayList<>();
        if (!schema.isObject()) {
            errors.add(FieldError.required(path, "schemas are required"));
            return errors;
        }
        if (!"object".equals(schema.path("type").asText())) {
            errors.add(FieldError.invalid(path + ".type", schema.path("type").asText(""), "must be object at the root"));
        }
        if (schema.path("nullable").asBoolean(false)) {
            errors.add(FieldError.forbidden(path + ".nullable", "must be false at the root"));
        }
        check(schema, path, errors);
        return errors;
    }

    private static void check(JsonNode s, String path, List<FieldError> errors) {
        if (!s.isObject()) {
            errors.add(FieldError.invalid(path, s.toString(), "must be a schema object"));
            return;
        }
        String type = s.path("type").asText("");
        boolean intOrString = s.path("x-kubernetes-int-or-string").asBoolean(false);
        boolean preserve = s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        if (type.isEmpty() && !intOrString && !preserve) {
            errors.add(FieldError.required(path + ".type", "must not be empty for specified fields"));
        } else if (!type.isEmpty() && !TYPES.contains(type)) {
            errors.add(FieldError.notSupported(path + ".type", type, List.of("array", "boolean", "integer", "number",
                    "object", "string")));
        }
        if (s.has("properties") && s.has("additionalProperties") && !s.get("additionalProperties").isBoolean()) {
            errors.add(FieldError.forbidden(path + ".additionalProperties",
                    "additionalProperties and properties are mutual exclusive"));
        }
        if (type.equals("array") && !s.path("items").isObject()) {
            errors.add(FieldError.required(path + ".items", "must be specified"));
        }
        JsonNode pattern = s.get("pattern");
        boolean patternOk = true;
        if (pattern != null) {
            try {
                Pattern.compile(pattern.asText());
            } catch (PatternSyntaxException e) {
                patternOk = false;
                errors.add(FieldError.invalid(path + ".pattern", pattern.asText(), "must be a valid regular expression"));
            }
        }
        JsonNode defaultValue = s.get("default");
        if (defaultValue != null && patternOk) {
            // a default must itself be valid, as any object it ends up in must be
            errors.addAll(new StructuralSchema(s).validateValue(defaultValue, path + ".default"));
        }
        for (Map.Entry<String, JsonNode> p : s.path("properties").properties()) {
            check(p.getValue(), path + ".properties[" + p.getKey() + "]", errors);
        }
        if (s.path("items").isObject()) {
            check(s.get("items"), path + ".items", errors);
        }
        if (s.path("additionalProperties").isObject()) {
            check(s.get("additionalProperties"), path + ".additionalProperties", errors);
        }
    }

    /** A lowercase RFC 1123 subdomain, as object names must be. */
    public static boolean isDns1123Subdomain(String s) {
        return !s.isEmpty() && s.length() <= 253 && DNS1123_SUBDOMAIN.matcher(s).matches();
    }

    /** A lowercase RFC 1123 label. */
    public static boolean isDns1123Label(String s) {
        return !s.isEmpty() && s.length() <= 63 && DNS1123_LABEL.matcher(s).matches();
    }
}
