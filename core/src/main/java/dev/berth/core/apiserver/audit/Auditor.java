package dev.berth.core.apiserver.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.Json;
import dev.berth.core.apiserver.RequestInfo;
import dev.berth.core.apiserver.auth.UserInfo;
import dev.berth.core.apiserver.http.ApiRequest;
import dev.berth.core.apiserver.http.ApiResponse;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns served requests into {@code audit.k8s.io/v1} Events at level Metadata: who (user,
 * groups, impersonated user, source IPs, user agent), what (verb, objectRef, request URI), the
 * result (responseStatus) and when. Bodies are never recorded, so neither are Secrets. Recorded:
 * every write (create, update, patch, delete, deletecollection) whatever its result, and every
 * request refused as unauthenticated (401), forbidden (403) or throttled (429).
 */
public final class Auditor {
    private static final Set<String> WRITES = Set.of("create", "update", "patch", "delete", "deletecollection");
    private static final Set<Integer> DENIALS = Set.of(401, 403, 429);
    /** Kubernetes writes audit timestamps with microseconds. */
    private static final DateTimeFormatter MICROS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final AuditLog log;
    private final Clock clock;

    public Auditor(AuditLog log, Clock clock) {
        this.log = log;
        this.clock = clock;
    }

    /** True when a request with this verb and response code goes into the audit log. */
    public static boolean recorded(RequestInfo info, int code) {
        return info.resourceRequest() && WRITES.contains(info.verb()) || DENIALS.contains(code);
    }

    public void record(RequestAudit audit, ApiRequest req, ApiResponse resp) {
        if (!recorded(audit.info(), resp.status())) {
            return;
        }
        log.record(Json.bytes(event(audit, req, resp, clock.instant())));
    }

    static ObjectNode event(RequestAudit audit, ApiRequest req, ApiResponse resp, Instant now) {
        RequestInfo info = audit.info();
        ObjectNode e = Json.MAPPER.createObjectNode();
        e.put("kind", "Event");
        e.put("apiVersion", "audit.k8s.io/v1");
        e.put("level", "Metadata");
        e.put("auditID", audit.auditId());
        e.put("stage", "ResponseComplete");
        e.put("requestURI", requestUri(req));
        e.put("verb", info.verb());
        user(e.putObject("user"), audit.user());
        if (audit.impersonatedUser() != null) {
            user(e.putObject("impersonatedUser"), audit.impersonatedUser());
        }
        ArrayNode ips = e.putArray("sourceIPs");
        sourceIps(req).forEach(ips::add);
        String agent = req.header("User-Agent");
        if (agent != null) {
            e.put("userAgent", agent);
        }
        if (info.resourceRequest()) {
            ObjectNode ref = e.putObject("objectRef");
            ref.put("resource", info.resource());
            String namespace = info.namespace();
            String name = info.name();
            if (name.isEmpty() && info.verb().equals("create") && resp instanceof ApiResponse.Full f && f.status() < 300) {
                // a created object's name is known only from the answer
                JsonNode meta = parse(f).path("metadata");
                name = meta.path("name").asText("");
                if (namespace.isEmpty()) namespace = meta.path("namespace").asText("");
            }
            if (!namespace.isEmpty() && !info.resource().equals("namespaces")) ref.put("namespace", namespace);
            if (!name.isEmpty()) ref.put("name", name);
            ref.put("apiGroup", info.group());
            ref.put("apiVersion", info.version());
            if (!info.subresource().isEmpty()) ref.put("subresource", info.subresource());
            if (info.group().isEmpty()) ref.remove("apiGroup");
        }
        ObjectNode status = e.putObject("responseStatus");
        status.putObject("metadata");
        if (resp.status() >= 400 && resp instanceof ApiResponse.Full f) {
            JsonNode body = parse(f);
            if (body.path("kind").asText().equals("Status")) {
                status.put("status", "Failure");
                if (body.hasNonNull("message")) status.put("message", body.get("message").asText());
                if (body.hasNonNull("reason")) status.put("reason", body.get("reason").asText());
            }
        }
        status.put("code", resp.status());
        e.put("requestReceivedTimestamp", MICROS.format(audit.received()));
        e.put("stageTimestamp", MICROS.format(now));
        Map<String, String> annotations = audit.annotations();
        if (!annotations.isEmpty()) {
            ObjectNode a = e.putObject("annotations");
            annotations.forEach(a::put);
        }
        return e;
    }

    private static void user(ObjectNode n, UserInfo u) {
        if (u == null) {
            return;
        }
        n.put("username", u.name());
        ArrayNode groups = n.putArray("groups");
        u.groups().forEach(groups::add);
    }

    private static JsonNode parse(ApiResponse.Full f) {
        if (!f.contentType().startsWith("application/json")) {
            return Json.MAPPER.missingNode();
        }
        try {
            return Json.MAPPER.readTree(f.body());
        } catch (java.io.IOException | RuntimeException e) {
            return Json.MAPPER.missingNode();
        }
    }

    /** The path and query as sent (decoded parts encoded again). */
    static String requestUri(ApiRequest req) {
        StringBuilder sb = new StringBuilder(req.path());
        char sep = '?';
        for (Map.Entry<String, List<String>> p : req.query().entrySet()) {
            for (String v : p.getValue()) {
                sb.append(sep).append(URLEncoder.encode(p.getKey(), StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
                sep = '&';
            }
        }
        return sb.toString();
    }

    /** X-Forwarded-For, then X-Real-Ip, then the connection's address, without repeats (as Kubernetes). */
    static List<String> sourceIps(ApiRequest req) {
        java.util.LinkedHashSet<String> ips = new java.util.LinkedHashSet<>();
        String forwarded = req.header("X-Forwarded-For");
        if (forwarded != null) {
            for (String ip : forwarded.split(",")) {
                if (!ip.isBlank()) ips.add(ip.trim());
            }
        }
        String real = req.header("X-Real-Ip");
        if (real != null && !real.isBlank()) ips.add(real.trim());
        if (req.remoteAddress() != null) ips.add(req.remoteAddress());
        return List.copyOf(ips);
    }
}
