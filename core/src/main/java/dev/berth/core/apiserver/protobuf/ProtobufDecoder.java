package dev.berth.core.apiserver.protobuf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.berth.core.api.ApiException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * Decodes Kubernetes protobuf request bodies ({@code Content-Type: application/vnd.kubernetes.protobuf})
 * into the object's Kubernetes JSON.
 *
 * <p>The body is the magic {@code k8s\0} followed by a {@code runtime.Unknown} whose typeMeta names
 * the object's apiVersion and kind and whose raw bytes hold the object's own message. The message is
 * walked through its descriptor, so every kind generated in client-java-proto decodes without
 * per-kind code; Kubernetes' wire types (Quantity, IntOrString, Time, RawExtension, ...) become
 * their JSON forms.
 */
public final class ProtobufDecoder {
    private static final byte[] MAGIC = {'k', '8', 's', 0};
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Go's zero time.Time, which Kubernetes writes for unset non-pointer timestamps. */
    private static final long GO_ZERO_TIME_SECONDS = -62135596800L;
    private static final DateTimeFormatter MICRO_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private static final String META = "k8s.io.apimachinery.pkg.apis.meta.v1.";
    private static final String APIEXT = "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.";

    /**
     * Fields Go embeds with {@code json:",inline"}: their message's properties belong to the parent
     * object in JSON. Keyed by the field's simple message name and the field name.
     */
    private static final Set<String> INLINE = Set.of(
            "Volume.volumeSource", "PersistentVolumeSpec.persistentVolumeSource", "Probe.handler",
            "EphemeralContainer.ephemeralContainerCommon", "ConfigMapEnvSource.localObjectReference",
            "ConfigMapKeySelector.localObjectReference", "ConfigMapProjection.localObjectReference",
            "ConfigMapVolumeSource.localObjectReference", "SecretEnvSource.localObjectReference",
            "SecretKeySelector.localObjectReference", "SecretProjection.localObjectReference",
            "IngressRule.ingressRuleValue", "NamedRuleWithOperations.ruleWithOperations",
            "RuleWithOperations.rule");

    /** Pointer strings for which "" differs from unset (a claim asking for no storage class). */
    private static final Set<String> EMPTY_STRING_MEANINGFUL = Set.of(
            "PersistentVolumeClaimSpec.storageClassName");

    /**
     * Non-pointer Go fields whose zero value means "unset" to Kubernetes' defaulting and allocation.
     * Go writes them even when unset; other zeros are kept, since a pointer's zero (replicas: 0) is
     * meaningful and the wire does not tell the two apart.
     */
    private static final Set<String> ZERO_MEANS_UNSET = Set.of(
            "ObjectMeta.generation", "ServicePort.nodePort", "ServicePort.targetPort", "ContainerPort.hostPort",
            "ServiceSpec.healthCheckNodePort");

    private ProtobufDecoder() {
    }

    /**
     * Decodes a whole protobuf request body.
     *
     * @throws ApiException 400 when the body is not a Kubernetes protobuf envelope or its object cannot be read
     */
    public static ObjectNode decode(byte[] body) {
        if (body == null || body.length < MAGIC.length) {
            throw ApiException.badRequest("protobuf body: too short: expected the prefix \"k8s\\x00\" and a "
                    + "runtime.Unknown message");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (body[i] != MAGIC[i]) {
                throw ApiException.badRequest("protobuf body: missing the prefix \"k8s\\x00\" of Kubernetes' "
                        + "protobuf encoding");
            }
        }
        io.kubernetes.client.proto.Runtime.Unknown unknown;
        try {
            unknown = io.kubernetes.client.proto.Runtime.Unknown.parseFrom(
                    ByteString.copyFrom(body, MAGIC.length, body.length - MAGIC.length));
        } catch (InvalidProtocolBufferException e) {
            throw ApiException.badRequest("protobuf body: invalid runtime.Unknown envelope: " + e.getMessage());
        }
        String apiVersion = unknown.getTypeMeta().getApiVersion();
        String kind = unknown.getTypeMeta().getKind();
        if (apiVersion.isEmpty() || kind.isEmpty()) {
            throw ApiException.badRequest("protobuf body: typeMeta.apiVersion and typeMeta.kind: Required value");
        }
        byte[] raw = decompress(unknown.getContentEncoding(), unknown.getRaw().toByteArray());
        String contentType = unknown.getContentType();
        if (contentType.equals("application/json")) {
            return jsonObject(apiVersion, kind, raw);
        }
        if (!contentType.isEmpty() && !contentType.equals("application/vnd.kubernetes.protobuf")) {
            throw ApiException.badRequest("protobuf body: contentType: Unsupported value: \"" + contentType
                    + "\": supported values: \"application/vnd.kubernetes.protobuf\", \"application/json\"");
        }
        return decodeObject(apiVersion, kind, raw);
    }

    /**
     * Decodes the protobuf encoding of one object (the raw bytes of the envelope) of the given type.
     *
     * @throws ApiException 400 for a kind without a protobuf message, or bytes that do not parse as it
     */
    public static ObjectNode decodeObject(String apiVersion, String kind, byte[] raw) {
        Descriptor descriptor = ProtoTypes.find(apiVersion, kind).orElseThrow(() -> ApiException.badRequest(
                "protobuf body: no protobuf encoding is known for kind \"" + kind + "\" in \"" + apiVersion
                        + "\"; send it as JSON"));
        DynamicMessage message;
        try {
            message = DynamicMessage.parseFrom(descriptor, raw);
        } catch (InvalidProtocolBufferException e) {
            throw ApiException.badRequest("protobuf body: invalid " + descriptor.getFullName() + ": " + e.getMessage());
        }
        ObjectNode out = JSON.objectNode();
        out.put("apiVersion", apiVersion);
        out.put("kind", kind);
        writeFields(message, out);
        return out;
    }

    private static byte[] decompress(String encoding, byte[] raw) {
        if (encoding.isEmpty()) {
            return raw;
        }
        if (!encoding.equals("gzip")) {
            throw ApiException.badRequest("protobuf body: contentEncoding: Unsupported value: \"" + encoding
                    + "\": supported values: \"\", \"gzip\"");
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw ApiException.badRequest("protobuf body: raw: invalid gzip data: " + e.getMessage());
        }
    }

    private static ObjectNode jsonObject(String apiVersion, String kind, byte[] raw) {
        JsonNode node = parseJson(raw, "raw");
        if (!node.isObject()) {
            throw ApiException.badRequest("protobuf body: raw: expected a JSON object");
        }
        ObjectNode out = JSON.objectNode();
        out.put("apiVersion", apiVersion);
        out.put("kind", kind);
        node.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("apiVersion") && !e.getKey().equals("kind")) {
                out.set(e.getKey(), e.getValue());
            }
        });
        return out;
    }

    private static JsonNode parseJson(byte[] raw, String field) {
        try {
            return MAPPER.readTree(raw);
        } catch (IOException e) {
            String why = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
            throw ApiException.badRequest("protobuf body: " + field + ": invalid embedded JSON: " + why);
        }
    }

    private static void writeFields(Message message, ObjectNode out) {
        Descriptor type = message.getDescriptorForType();
        for (FieldDescriptor field : type.getFields()) {
            if (field.isRepeated() ? message.getRepeatedFieldCount(field) == 0 : !message.hasField(field)) {
                continue;
            }
            String key = type.getName() + "." + field.getName();
            if (field.isMapField()) {
                out.set(jsonName(type, field), map(message, field));
            } else if (field.isRepeated()) {
                ArrayNode array = JSON.arrayNode();
                for (int i = 0; i < message.getRepeatedFieldCount(field); i++) {
                    JsonNode v = value(field, message.getRepeatedField(field, i));
                    array.add(v == null ? JSON.nullNode() : v);
                }
                out.set(jsonName(type, field), array);
            } else if (field.getType() == FieldDescriptor.Type.MESSAGE && INLINE.contains(key)) {
                writeFields((Message) message.getField(field), out);
            } else {
                Object v = message.getField(field);
                if (v instanceof String s && s.isEmpty() && !EMPTY_STRING_MEANINGFUL.contains(key)) {
                    // Go writes unset strings as ""; JSON leaves them out, so defaulting still applies.
                    continue;
                }
                JsonNode json = value(field, v);
                if (ZERO_MEANS_UNSET.contains(key) && json != null && json.isNumber() && json.asLong() == 0) {
                    continue;
                }
                if (json != null) {
                    out.set(jsonName(type, field), json);
                }
            }
        }
    }

    private static ObjectNode map(Message message, FieldDescriptor field) {
        FieldDescriptor keyField = field.getMessageType().findFieldByName("key");
        FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
        // Go writes map keys sorted; so do we.
        TreeMap<String, JsonNode> sorted = new TreeMap<>();
        for (int i = 0; i < message.getRepeatedFieldCount(field); i++) {
            Message entry = (Message) message.getRepeatedField(field, i);
            JsonNode v = entry.hasField(valueField) ? value(valueField, entry.getField(valueField))
                    : defaultValue(valueField);
            sorted.put(String.valueOf(entry.getField(keyField)), v == null ? JSON.nullNode() : v);
        }
        ObjectNode out = JSON.objectNode();
        sorted.forEach(out::set);
        return out;
    }

    private static JsonNode defaultValue(FieldDescriptor field) {
        return switch (field.getJavaType()) {
            case STRING -> JSON.textNode("");
            case BYTE_STRING -> JSON.textNode("");
            case MESSAGE -> value(field, DynamicMessage.getDefaultInstance(field.getMessageType()));
            default -> value(field, field.getDefaultValue());
        };
    }

    /** The JSON of one value, or null when Kubernetes would leave it out (a zero timestamp). */
    private static JsonNode value(FieldDescriptor field, Object v) {
        return switch (field.getJavaType()) {
            case STRING -> JSON.textNode((String) v);
            case INT -> JSON.numberNode((Integer) v);
            case LONG -> JSON.numberNode((Long) v);
            case DOUBLE -> JSON.numberNode((Double) v);
            case FLOAT -> JSON.numberNode((Float) v);
            case BOOLEAN -> JSON.booleanNode((Boolean) v);
            case BYTE_STRING -> JSON.textNode(Base64.getEncoder().encodeToString(((ByteString) v).toByteArray()));
            case ENUM -> JSON.textNode(String.valueOf(v));
            case MESSAGE -> message((Message) v);
        };
    }

    private static JsonNode message(Message m) {
        Descriptor type = m.getDescriptorForType();
        String name = type.getFullName();
        switch (name) {
            case "k8s.io.apimachinery.pkg.api.resource.Quantity":
                return JSON.textNode(string(m, "string"));
            case "k8s.io.apimachinery.pkg.util.intstr.IntOrString": {
                long t = (Long) field(m, "type");
                return t == 1 ? JSON.textNode(string(m, "strVal")) : JSON.numberNode((Integer) field(m, "intVal"));
            }
            case META + "Time":
            case META + "MicroTime": {
                long seconds = (Long) field(m, "seconds");
                int nanos = (Integer) field(m, "nanos");
                if (m.getAllFields().isEmpty() || seconds == GO_ZERO_TIME_SECONDS && nanos == 0) {
                    return null;
                }
                Instant t = Instant.ofEpochSecond(seconds, nanos);
                return JSON.textNode(name.endsWith("MicroTime") ? MICRO_TIME.format(t)
                        : DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
            }
            case META + "Duration":
                return JSON.textNode(GoDuration.format((Long) field(m, "duration")));
            case "k8s.io.apimachinery.pkg.runtime.RawExtension":
            case META + "FieldsV1":
                return embedded(((ByteString) field(m, "raw")).toByteArray());
            default:
                break;
        }
        if (name.startsWith(APIEXT)) {
            JsonNode special = apiextensions(m, type.getName());
            if (special != null) {
                return special;
            }
        }
        // Map values that are lists travel as a message with one repeated "items" field (ExtraValue, Verbs).
        if (type.getFields().size() == 1 && type.getFields().getFirst().getName().equals("items")
                && type.getFields().getFirst().isRepeated()) {
            ArrayNode array = JSON.arrayNode();
            FieldDescriptor items = type.getFields().getFirst();
            for (int i = 0; i < m.getRepeatedFieldCount(items); i++) {
                array.add(value(items, m.getRepeatedField(items, i)));
            }
            return array;
        }
        ObjectNode out = JSON.objectNode();
        writeFields(m, out);
        return out;
    }

    private static JsonNode apiextensions(Message m, String simpleName) {
        switch (simpleName) {
            case "JSON":
                return embedded(((ByteString) field(m, "raw")).toByteArray());
            case "JSONSchemaPropsOrArray": {
                FieldDescriptor schemas = m.getDescriptorForType().findFieldByName("jSONSchemas");
                if (schemas != null && m.getRepeatedFieldCount(schemas) > 0) {
                    ArrayNode array = JSON.arrayNode();
                    for (int i = 0; i < m.getRepeatedFieldCount(schemas); i++) {
                        array.add(message((Message) m.getRepeatedField(schemas, i)));
                    }
                    return array;
                }
                return message((Message) field(m, "schema"));
            }
            case "JSONSchemaPropsOrBool": {
                FieldDescriptor schema = m.getDescriptorForType().findFieldByName("schema");
                if (m.hasField(schema)) {
                    return message((Message) m.getField(schema));
                }
                return JSON.booleanNode((Boolean) field(m, "allows"));
            }
            case "JSONSchemaPropsOrStringArray": {
                FieldDescriptor schema = m.getDescriptorForType().findFieldByName("schema");
                if (m.hasField(schema)) {
                    return message((Message) m.getField(schema));
                }
                FieldDescriptor property = m.getDescriptorForType().findFieldByName("property");
                ArrayNode array = JSON.arrayNode();
                for (int i = 0; i < m.getRepeatedFieldCount(property); i++) {
                    array.add((String) m.getRepeatedField(property, i));
                }
                return array;
            }
            default:
                return null;
        }
    }

    private static JsonNode embedded(byte[] raw) {
        if (raw.length == 0) {
            return null;
        }
        if (raw.length >= MAGIC.length && raw[0] == 'k' && raw[1] == '8' && raw[2] == 's' && raw[3] == 0) {
            return decode(raw);
        }
        return parseJson(raw, "embedded object");
    }

    private static Object field(Message m, String name) {
        FieldDescriptor f = m.getDescriptorForType().findFieldByName(name);
        if (f == null) {
            // Kubernetes' protos are not consistent in case: FieldsV1 has "Raw", RawExtension "raw"
            f = m.getDescriptorForType().getFields().stream().filter(d -> d.getName().equalsIgnoreCase(name))
                    .findFirst().orElse(null);
        }
        if (f == null) {
            throw ApiException.badRequest("protobuf body: " + m.getDescriptorForType().getFullName()
                    + " has no field \"" + name + "\"");
        }
        return m.getField(f);
    }

    private static String string(Message m, String name) {
        return (String) field(m, name);
    }

    /** Kubernetes' JSON name of a field: the proto name, except in JSONSchemaProps. */
    static String jsonName(Descriptor type, FieldDescriptor field) {
        String name = field.getName();
        if (type.getFullName().startsWith(APIEXT) && type.getName().equals("JSONSchemaProps")) {
            if (name.equals("ref")) {
                return "$ref";
            }
            if (name.equals("schema")) {
                return "$schema";
            }
            if (name.startsWith("xKubernetes")) {
                return "x-kubernetes" + name.substring("xKubernetes".length()).replaceAll("([A-Z])", "-$1")
                        .toLowerCase(Locale.ROOT);
            }
        }
        return name;
    }
}
