package dev.berth.core.api;

import java.util.List;

/**
 * An error the API answers with a Kubernetes {@code Status}: code, reason, message and details.
 * Thrown anywhere below the API server; the server turns it into the response.
 */
public class ApiException extends RuntimeException {
    private final int code;
    private final String reason;
    private final String group;
    private final String kind;
    private final String name;
    private final List<FieldError> causes;
    private final Integer retryAfterSeconds;

    public ApiException(int code, String reason, String message, String group, String kind, String name,
                        List<FieldError> causes, Integer retryAfterSeconds) {
        super(message);
        this.code = code;
        this.reason = reason;
        this.group = group;
        this.kind = kind;
        this.name = name;
        this.causes = causes == null ? List.of() : List.copyOf(causes);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public ApiException(int code, String reason, String message) {
        this(code, reason, message, null, null, null, null, null);
    }

    public int code() { return code; }
    public String reason() { return reason; }
    public String group() { return group; }
    public String kind() { return kind; }
    public String name() { return name; }
    public List<FieldError> causes() { return causes; }
    public Integer retryAfterSeconds() { return retryAfterSeconds; }

    private static String qualified(String resource, String group) {
        return group == null || group.isEmpty() ? resource : resource + "." + group;
    }

    /** 404: {@code deployments.apps "web" not found}. */
    public static ApiException notFound(String group, String resource, String name) {
        return new ApiException(404, "NotFound", qualified(resource, group) + " \"" + name + "\" not found",
                group, resource, name, null, null);
    }

    /** 409: {@code configmaps "cfg" already exists}. */
    public static ApiException alreadyExists(String group, String resource, String name) {
        return new ApiException(409, "AlreadyExists", qualified(resource, group) + " \"" + name + "\" already exists",
                group, resource, name, null, null);
    }

    /** 409 Conflict on a stale resourceVersion. */
    public static ApiException conflict(String group, String resource, String name, String why) {
        return new ApiException(409, "Conflict", "Operation cannot be fulfilled on " + qualified(resource, group)
                + " \"" + name + "\": " + why, group, resource, name, null, null);
    }

    public static ApiException modified(String group, String resource, String name) {
        return conflict(group, resource, name,
                "the object has been modified; please apply your changes to the latest version and try again");
    }

    /** 422: {@code The Deployment "web" is invalid: spec.replicas: Invalid value: ...}. */
    public static ApiException invalid(String group, String kind, String name, List<FieldError> causes) {
        StringBuilder msg = new StringBuilder(kind).append(" \"").append(name == null ? "" : name).append("\" is invalid: ");
        if (causes.size() == 1) {
            msg.append(causes.getFirst());
        } else {
            msg.append('[');
            for (int i = 0; i < causes.size(); i++) {
                if (i > 0) msg.append(", ");
                msg.append(causes.get(i));
            }
            msg.append(']');
        }
        return new ApiException(422, "Invalid", msg.toString(), group, kind, name, causes, null);
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "BadRequest", message);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(403, "Forbidden", message);
    }

    public static ApiException methodNotAllowed(String message) {
        return new ApiException(405, "MethodNotAllowed", message);
    }

    public static ApiException gone(String message) {
        return new ApiException(410, "Expired", message);
    }

    public static ApiException unsupportedMediaType(String message) {
        return new ApiException(415, "UnsupportedMediaType", message);
    }

    public static ApiException tooLarge(String message) {
        return new ApiException(413, "RequestEntityTooLarge", message);
    }

    public static ApiException internal(String message) {
        return new ApiException(500, "InternalError", message);
    }
}
