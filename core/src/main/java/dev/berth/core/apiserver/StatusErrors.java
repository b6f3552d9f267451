package dev.berth.core.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.api.FieldError;
import dev.berth.core.api.Json;
import dev.berth.core.apiserver.http.ApiResponse;

/** Turns errors into Kubernetes {@code Status} responses. */
public final class StatusErrors {
    private StatusErrors() {}

    public static ObjectNode status(ApiException e) {
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("kind", "Status");
        s.put("apiVersion", "v1");
        ObjectNode meta = s.putObject("metadata");
        if (e instanceof ApiHandlers.ExpiredContinueException expired) {
            meta.put("continue", expired.inconsistentContinue);
        }
        s.put("status", "Failure");
        s.put("message", e.getMessage());
        s.put("reason", e.reason());
        if (e.name() != null || e.kind() != null || !e.causes().isEmpty() || e.retryAfterSeconds() != null) {
            ObjectNode d = s.putObject("details");
            if (e.name() != null) d.put("name", e.name());
            if (e.group() != null) d.put("group", e.group());
            if (e.kind() != null) d.put("kind", e.kind());
            if (!e.causes().isEmpty()) {
                ArrayNode causes = d.putArray("causes");
                for (FieldError c : e.causes()) {
                    ObjectNode cn = causes.addObject();
                    cn.put("reason", c.type());
                    cn.put("message", c.message());
                    if (c.field() != null) cn.put("field", c.field());
                }
            }
            if (e.retryAfterSeconds() != null) d.put("retryAfterSeconds", e.retryAfterSeconds());
        }
        s.put("code", e.code());
        return s;
    }

    public static ApiResponse.Full response(ApiException e) {
        ApiResponse.Full r = ApiResponse.Full.json(e.code(), Json.bytes(status(e)));
        if (e.retryAfterSeconds() != null) {
            r.header("Retry-After", e.retryAfterSeconds().toString());
        }
        return r;
    }

    /** The Success Status some deletes answer with. */
    public static byte[] success(String group, String kind, String name, String uid) {
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("kind", "Status");
        s.put("apiVersion", "v1");
        s.putObject("metadata");
        s.put("status", "Success");
        ObjectNode d = s.putObject("details");
        d.put("name", name);
        d.put("group", group);
        d.put("kind", kind);
        if (uid != null) d.put("uid", uid);
        return Json.bytes(s);
    }
}
