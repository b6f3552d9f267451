package dev.berth.core.api.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * One entry of {@code metadata.managedFields}: who set which fields, with which operation.
 *
 * @param manager     the field manager ({@code kubectl}, {@code kubectl-client-side-apply}, ...)
 * @param operation   {@code Apply} or {@code Update}
 * @param apiVersion  the version the fields were written in
 * @param time        when this manager last changed the object, or null
 * @param subresource {@code status}, {@code scale}, ... or null for the main resource
 * @param fields      the owned fields
 */
public record ManagedFieldsEntry(String manager, String operation, String apiVersion, Instant time, String subresource,
                                 FieldSet fields) {
    public static final String APPLY = "Apply";
    public static final String UPDATE = "Update";

    public ManagedFieldsEntry {
        subresource = subresource == null || subresource.isEmpty() ? null : subresource;
        time = time == null ? null : time.truncatedTo(ChronoUnit.SECONDS);
    }

    /**
     * The identity Kubernetes keys entries by: manager, operation and subresource, and the
     * apiVersion for updates only (an applier keeps one entry whatever version it applies in).
     */
    public boolean sameManager(String manager, String operation, String apiVersion, String subresource) {
        return this.manager.equals(manager) && this.operation.equals(operation)
                && Objects.equals(this.subresource, subresource == null || subresource.isEmpty() ? null : subresource)
                && (APPLY.equals(operation) || Objects.equals(this.apiVersion, apiVersion));
    }

    /** How conflicts name the manager: {@code "kubectl-client-side-apply" using apps/v1}. */
    public String describe() {
        StringBuilder sb = new StringBuilder(quote(manager));
        if (subresource != null) {
            sb.append(" with subresource ").append(quote(subresource));
        }
        if (UPDATE.equals(operation)) {
            sb.append(" using ").append(apiVersion);
        }
        return sb.toString();
    }

    private static String quote(String s) {
        return Json.MAPPER.getNodeFactory().textNode(s).toString();
    }

    public ManagedFieldsEntry withFields(FieldSet newFields) {
        return new ManagedFieldsEntry(manager, operation, apiVersion, time, subresource, newFields);
    }

    public ManagedFieldsEntry withTime(Instant newTime) {
        return new ManagedFieldsEntry(manager, operation, apiVersion, newTime, subresource, fields);
    }

    /** As the API server writes it: manager, operation, apiVersion, time, fieldsType, fieldsV1, subresource. */
    public ObjectNode toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("manager", manager);
        o.put("operation", operation);
        if (apiVersion != null) {
            o.put("apiVersion", apiVersion);
        }
        if (time != null) {
            o.put("time", time.toString());
        }
        o.put("fieldsType", "FieldsV1");
        o.set("fieldsV1", fields.toFieldsV1());
        if (subresource != null) {
            o.put("subresource", subresource);
        }
        return o;
    }

    /** Parses one entry; throws IllegalArgumentException when it is not one. */
    public static ManagedFieldsEntry fromJson(JsonNode o) {
        if (!o.isObject()) {
            throw new IllegalArgumentException("managedFields entry must be an object: " + o);
        }
        String type = o.path("fieldsType").asText("FieldsV1");
        if (!type.equals("FieldsV1")) {
            throw new IllegalArgumentException("managedFields fieldsType " + type + " is not supported, only FieldsV1");
        }
        Instant time = null;
        if (o.hasNonNull("time")) {
            try {
                time = Instant.parse(o.get("time").asText());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("managedFields time " + o.get("time") + " is not RFC 3339", e);
            }
        }
        return new ManagedFieldsEntry(o.path("manager").asText(""), o.path("operation").asText(""),
                o.hasNonNull("apiVersion") ? o.get("apiVersion").asText() : null, time,
                o.hasNonNull("subresource") ? o.get("subresource").asText() : null,
                FieldSet.fromFieldsV1(o.get("fieldsV1")));
    }
}
