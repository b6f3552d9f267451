package dev.berth.core.api;

/**
 * One broken rule at one field, as Kubernetes reports it in {@code Status.details.causes}.
 *
 * @param type   the Kubernetes cause reason: {@code FieldValueInvalid}, {@code FieldValueRequired},
 *               {@code FieldValueNotSupported}, {@code FieldValueDuplicate}, {@code FieldValueForbidden},
 *               {@code FieldValueTooLong}, {@code FieldValueTooMany}, {@code FieldValueTypeInvalid}
 * @param field  the field path, for example {@code spec.template.spec.containers[0].image}
 * @param detail what rule was broken, for example {@code must be no more than 63 characters}
 * @param value  the offending value rendered as text, or null when there is none (Required)
 */
public record FieldError(String type, String field, String detail, String value) {
    public static FieldError invalid(String field, Object value, String detail) {
        return new FieldError("FieldValueInvalid", field, detail, value == null ? null : String.valueOf(value));
    }

    public static FieldError required(String field, String detail) {
        return new FieldError("FieldValueRequired", field, detail, null);
    }

    public static FieldError notSupported(String field, Object value, java.util.Collection<String> supported) {
        return new FieldError("FieldValueNotSupported", field,
                "supported values: " + String.join(", ", supported.stream().map(s -> "\"" + s + "\"").toList()),
                value == null ? null : String.valueOf(value));
    }

    public static FieldError duplicate(String field, Object value) {
        return new FieldError("FieldValueDuplicate", field, null, value == null ? null : String.valueOf(value));
    }

    public static FieldError notFound(String field, Object value) {
        return new FieldError("FieldValueNotFound", field, null, value == null ? null : String.valueOf(value));
    }

    public static FieldError tooMany(String field, int actual, int max) {
        return new FieldError("FieldValueTooMany", field, "must have at most " + max + " items", String.valueOf(actual));
    }

    public static FieldError forbidden(String field, String detail) {
        return new FieldError("FieldValueForbidden", field, detail, null);
    }

    public static FieldError tooLong(String field, Object value, int max) {
        return new FieldError("FieldValueTooLong", field, "may not be more than " + max + " bytes", null);
    }

    /** The message kubectl prints after the field: {@code Invalid value: "x": must be ...}. */
    public String message() {
        if (!type.startsWith("FieldValue")) {
            return detail; // a cause of another kind (DisruptionBudget, ...) is its own message
        }
        String kind = switch (type) {
            case "FieldValueInvalid" -> "Invalid value";
            case "FieldValueRequired" -> "Required value";
            case "FieldValueNotSupported" -> "Unsupported value";
            case "FieldValueDuplicate" -> "Duplicate value";
            case "FieldValueForbidden" -> "Forbidden";
            case "FieldValueNotFound" -> "Not found";
            case "FieldValueTooLong" -> "Too long";
            case "FieldValueTooMany" -> "Too many";
            case "FieldValueTypeInvalid" -> "Invalid value";
            default -> "Invalid value";
        };
        StringBuilder sb = new StringBuilder(kind);
        if (value != null && !type.equals("FieldValueRequired") && !type.equals("FieldValueForbidden")) {
            sb.append(": \"").append(value).append('"');
        }
        if (detail != null && !detail.isEmpty()) {
            sb.append(": ").append(detail);
        }
        return sb.toString();
    }

    /** {@code spec.replicas: Invalid value: "-1": must be greater than or equal to 0}. */
    @Override
    public String toString() {
        return field + ": " + message();
    }
}
