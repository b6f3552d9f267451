package dev.berth.core.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.api.Json;
import dev.berth.core.apiserver.auth.Authenticator;
import dev.berth.core.apiserver.auth.Authorizer;
import dev.berth.core.apiserver.auth.UserInfo;
import dev.berth.core.apiserver.cache.CacheEvent;
import dev.berth.core.apiserver.cache.CachedObject;
import dev.berth.core.apiserver.cache.ResourceCache;
import dev.berth.core.apiserver.cache.Watcher;
import dev.berth.core.apiserver.http.ApiHandler;
import dev.berth.core.apiserver.http.ApiRequest;
import dev.berth.core.apiserver.http.ApiResponse;
import dev.berth.core.apiserver.registry.ResourceRegistry;
import dev.berth.core.apiserver.registry.ResourceType;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Routes API requests: health, version, discovery, OpenAPI, and the resource verbs. */
public final class ApiHandlers implements ApiHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ApiHandlers.class);
    private static final int WATCH_QUEUE = 10_000;
    /** At most this many queued watch events, or about this many bytes, share one chunk. */
    private static final int WATCH_EVENTS_PER_CHUNK = 256;
    private static final int WATCH_CHUNK_BYTES = 256 * 1024;

    private final ResourceRegistry registry;
    private final ResourceStorage storage;
    private final Discovery discovery;
    private final Authenticator authenticator;
    private final Authorizer authorizer;
    private final Subresources subresources;
    private final WireFormats formats;
    private volatile boolean ready;

    public ApiHandlers(ResourceRegistry registry, ResourceStorage storage, Discovery discovery,
                       Authenticator authenticator, Authorizer authorizer, Subresources subresources,
                       WireFormats formats) {
        this.registry = registry;
        this.storage = storage;
        this.discovery = discovery;
        this.authenticator = authenticator;
        this.authorizer = authorizer;
        this.subresources = subresources;
        this.formats = formats;
        this.accessReviews = new AccessReviews(authorizer);
    }

    private MetricsApi metricsApi;

    void setMetricsApi(MetricsApi metricsApi) {
        this.metricsApi = metricsApi;
    }

    public void setReady(boolean ready) {
        this.ready = ready;
    }

    private volatile dev.berth.core.apiserver.flowcontrol.FlowControl flowControl;
    private volatile dev.berth.core.apiserver.audit.Auditor auditor;
    private final java.util.concurrent.ExecutorService deadlines = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    /** Limits requests in flight and per user, and gives requests a deadline; null for none. */
    void useFlowControl(dev.berth.core.apiserver.flowcontrol.FlowControl flowControl) {
        this.flowControl = flowControl;
    }

    /** Records writes and refusals; null for none. */
    void useAuditor(dev.berth.core.apiserver.audit.Auditor auditor) {
        this.auditor = auditor;
    }

    @Override
    public ApiResponse handle(ApiRequest req) {
        ApiResponse open = unauthenticated(req.path());
        if (open != null) {
            return open;
        }
        RequestInfo info = RequestInfo.parse(req.method(), req.path(), req.flag("watch"));
        dev.berth.core.apiserver.audit.RequestAudit audit =
                new dev.berth.core.apiserver.audit.RequestAudit(storage.clock().instant(), info);
        dev.berth.core.apiserver.flowcontrol.FlowControl fc = flowControl;
        ApiResponse resp;
        try {
            if (fc == null || dev.berth.core.apiserver.flowcontrol.FlowControl.longRunning(info, req.flag("watch"))) {
                resp = serve(req, info, audit);
            } else {
                resp = withDeadline(req, info, audit, fc);
            }
        } catch (RuntimeException e) {
            LOG.error("internal error serving {} {}", req.method(), req.path(), e);
            resp = StatusErrors.response(new ApiException(500, "InternalError", "an error on the server (\""
                    + e.getClass().getSimpleName() + "\") has prevented the request from succeeding"));
        }
        dev.berth.core.apiserver.audit.Auditor a = auditor;
        if (a != null) {
            a.record(audit, req, resp);
        }
        return resp;
    }

    /**
     * Serves on another virtual thread and answers 504 when the deadline passes first; the work
     * is interrupted then, as kube-apiserver cancels the request's context.
     */
    private ApiResponse withDeadline(ApiRequest req, RequestInfo info, dev.berth.core.apiserver.audit.RequestAudit audit,
                                     dev.berth.core.apiserver.flowcontrol.FlowControl fc) {
        java.time.Duration timeout;
        try {
            timeout = fc.timeout(req.param("timeout"));
        } catch (ApiException e) {
            return StatusErrors.response(e);
        }
        java.util.concurrent.Future<ApiResponse> work = deadlines.submit(() -> serve(req, info, audit));
        try {
            return work.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            work.cancel(true);
            LOG.warn("{} {} from {} did not complete within {}", req.method(), req.path(),
                    audit.user() == null ? "an unauthenticated client" : audit.user().name(), timeout);
            return StatusErrors.response(dev.berth.core.apiserver.flowcontrol.FlowControl.timedOut());
        } catch (InterruptedException e) {
            work.cancel(true);
            Thread.currentThread().interrupt();
            return StatusErrors.response(new ApiException(503, "ServiceUnavailable", "the server is shutting down"));
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private ApiResponse serve(ApiRequest req, RequestInfo info, dev.berth.core.apiserver.audit.RequestAudit audit) {
        return audit.bound(() -> {
            try {
                return route(req, info, audit);
            } catch (ApiException e) {
                return StatusErrors.response(e);
            } catch (java.io.UncheckedIOException e) {
                return StatusErrors.response(ApiException.badRequest("malformed request body: " + e.getCause().getMessage()));
            } catch (IllegalArgumentException e) {
                return StatusErrors.response(ApiException.badRequest(e.getMessage()));
            }
        });
    }

    /** Health and version, answered to anyone; null for every other path. */
    private ApiResponse unauthenticated(String path) {
        switch (path) {
            case "/healthz", "/livez" -> {
                return ApiResponse.Full.text(200, "ok");
            }
            case "/readyz" -> {
                return ready ? ApiResponse.Full.text(200, "ok") : ApiResponse.Full.text(503, "[-]cache not started");
            }
            case "/version", "/version/" -> {
                return ApiResponse.Full.json(200, discovery.version());
            }
            default -> {
                if (path.startsWith("/healthz/") || path.startsWith("/livez/") || path.startsWith("/readyz/")) {
                    return ApiResponse.Full.text(200, "ok");
                }
            }
        }
        return null;
    }

    private ApiResponse route(ApiRequest req, RequestInfo info, dev.berth.core.apiserver.audit.RequestAudit audit) {
        UserInfo user = authenticator.authenticate(req)
                .orElseThrow(() -> new ApiException(401, "Unauthorized", "Unauthorized"));
        audit.user(user);
        UserInfo acting = dev.berth.core.apiserver.auth.Impersonation.apply(req, user, authorizer);
        if (acting != user) {
            audit.impersonated(acting);
        }
        dev.berth.core.apiserver.flowcontrol.FlowControl fc = flowControl;
        try (dev.berth.core.apiserver.flowcontrol.FlowControl.Permit permit = fc == null ? () -> {}
                : fc.admit(acting, info, req.flag("watch"))) {
            Authorizer.Decision d = authorizer.authorize(acting, info);
            audit.put("authorization.k8s.io/decision", d.allowed() ? "allow" : "forbid");
            audit.put("authorization.k8s.io/reason", d.reason());
            if (!d.allowed()) {
                throw ApiException.forbidden(forbiddenMessage(acting, info, d.reason()));
            }
            return authorized(req, req.path(), info, acting);
        }
    }

    private ApiResponse authorized(ApiRequest req, String path, RequestInfo info, UserInfo user) {
        if (!info.resourceRequest()) {
            return nonResource(req, path);
        }
        ResourceType type = registry.find(info.group(), info.version(), info.resource())
                .orElseThrow(() -> new ApiException(404, "NotFound", "the server could not find the requested resource"));
        if (!type.namespaced() && !info.namespace().isEmpty() && !type.resource().equals("namespaces")) {
            throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }
        if (AccessReviews.serves(type)) {
            return accessReviews.handle(req, info, type, user);
        }
        if (type.group().equals("metrics.k8s.io") && metricsApi != null) {
            return metricsApi.handle(req, info, type);
        }
        if (type.resource().equals("bindings")) {
            if (!info.verb().equals("create") || !info.subresource().isEmpty()) {
                throw ApiException.methodNotAllowed("bindings can only be created");
            }
            return subresources.bindLegacy(req, info, user);
        }
        if (!info.subresource().isEmpty()) {
            if (!type.hasSubresource(info.subresource())) {
                throw new ApiException(404, "NotFound", "the server could not find the requested resource");
            }
            return subresources.handle(req, info, type, user);
        }
        return resource(req, info, type, user);
    }

    /**
     * Kubernetes' message: {@code pods "web" is forbidden: User "bob" cannot delete resource "pods" in API
     * group "" in the namespace "default"}; {@code forbidden: User "bob" cannot get path "/metrics"}.
     */
    static String forbiddenMessage(UserInfo user, RequestInfo info, String reason) {
        String why;
        String qualified;
        if (info.resourceRequest()) {
            String resource = info.subresource().isEmpty() ? info.resource() : info.resource() + "/" + info.subresource();
            why = "User \"" + user.name() + "\" cannot " + info.verb() + " resource \"" + resource + "\" in API group \""
                    + info.group() + "\"" + (info.namespace().isEmpty() ? " at the cluster scope"
                    : " in the namespace \"" + info.namespace() + "\"");
            qualified = (info.group().isEmpty() ? info.resource() : info.resource() + "." + info.group())
                    + (info.name().isEmpty() ? "" : " \"" + info.name() + "\"") + " is forbidden: ";
        } else {
            why = "User \"" + user.name() + "\" cannot " + info.verb() + " path \"" + info.path() + "\"";
            qualified = "forbidden: ";
        }
        return qualified + why + (reason.isEmpty() ? "" : ": " + reason);
    }

    private final AccessReviews accessReviews;

    private ApiResponse nonResource(ApiRequest req, String path) {
        if (!req.method().equals("GET")) {
            throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
        }
        String[] s = java.util.Arrays.stream(path.split("/")).filter(x -> !x.isEmpty()).toArray(String[]::new);
        byte[] body = null;
        if (s.length == 1 && s[0].equals("api")) {
            body = discovery.coreVersions();
        } else if (s.length == 1 && s[0].equals("apis")) {
            body = discovery.groups();
        } else if (s.length == 2 && s[0].equals("api")) {
            body = discovery.resources("", s[1]);
        } else if (s.length == 2 && s[0].equals("apis")) {
            body = discovery.group(s[1]);
        } else if (s.length == 3 && s[0].equals("apis")) {
            body = discovery.resources(s[1], s[2]);
        } else if (s.length >= 1 && s[0].equals("openapi")) {
            return formats.openApi(req);
        }
        if (body == null) {
            throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }
        return ApiResponse.Full.json(200, body);
    }

    // ---- resources -------------------------------------------------------------------------

    private ApiResponse resource(ApiRequest req, RequestInfo info, ResourceType served, UserInfo user) {
        // objects are read and written as their stored version; responses are converted back
        ResourceType type = registry.byStorage(served.storage()).getFirst();
        String ns = type.namespaced() ? info.namespace() : "";
        if (type.resource().equals("namespaces")) {
            ns = "";
        }
        String name = info.name();
        return switch (info.verb()) {
            case "get" -> {
                if (req.flag("watch")) {
                    yield watch(req, served, ns, name);
                }
                yield formats.object(req, served, storage.get(type, ns, name).json(), 200);
            }
            case "list" -> list(req, served, type.namespaced() ? info.namespace() : null);
            case "watch" -> watch(req, served, type.namespaced() && !info.namespace().isEmpty() ? info.namespace() : null, null);
            case "create" -> {
                if (name.isEmpty() || type.resource().equals("namespaces") && info.parts().size() == 1) {
                    ObjectNode body = formats.decodeBody(req, served);
                    ResourceStorage.Result r = storage.create(type, ns, body, writeOptions(req, user));
                    yield withWarnings(formats.object(req, served, r.json(), r.code()), req);
                }
                throw ApiException.methodNotAllowed("POST is not allowed on a named " + type.kind());
            }
            case "update" -> {
                ObjectNode body = formats.decodeBody(req, served);
                ResourceStorage.Result r = storage.update(type, ns, name, body, writeOptions(req, user), "");
                yield withWarnings(formats.object(req, served, r.json(), r.code()), req);
            }
            case "patch" -> {
                ResourceStorage.Result r = storage.patch(type, ns, name, req.contentType(), req.body(),
                        writeOptions(req, user), "", req.flag("force"));
                yield withWarnings(formats.object(req, served, r.json(), r.code()), req);
            }
            case "delete" -> {
                ResourceStorage.Result r = storage.delete(type, ns, name, deleteOptions(req), user);
                yield formats.object(req, served, r.json(), r.code());
            }
            case "deletecollection" -> deleteCollection(req, served, type.namespaced() ? info.namespace() : null, user);
            default -> throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
        };
    }

    private ApiResponse withWarnings(ApiResponse r, ApiRequest req) {
        List<String> w = warnings.get();
        if (w != null && !w.isEmpty() && r instanceof ApiResponse.Full f) {
            StringBuilder sb = new StringBuilder();
            for (String s : w) {
                if (!sb.isEmpty()) sb.append(", ");
                sb.append("299 - \"").append(s.replace("\"", "\\\"")).append('"');
            }
            f.header("Warning", sb.toString());
        }
        warnings.remove();
        return r;
    }

    private final ThreadLocal<List<String>> warnings = new ThreadLocal<>();

    ResourceStorage.WriteOptions writeOptions(ApiRequest req, UserInfo user) {
        String dryRun = req.param("dryRun");
        if (dryRun != null && !dryRun.equals("All")) {
            throw ApiException.badRequest("dryRun: Unsupported value: \"" + dryRun + "\": supported values: \"All\"");
        }
        String manager = req.param("fieldManager");
        if (manager == null || manager.isEmpty()) {
            String ua = req.header("User-Agent");
            manager = ua == null || ua.isEmpty() ? "unknown" : ua.split("/")[0];
        }
        List<String> w = new ArrayList<>();
        warnings.set(w);
        return new ResourceStorage.WriteOptions(dryRun != null, TypedCodec.fieldValidation(req.param("fieldValidation")),
                manager, user, w);
    }

    static ResourceStorage.DeleteOptions deleteOptions(ApiRequest req) {
        Long grace = null;
        String policy = req.param("propagationPolicy");
        String uid = null;
        String rv = null;
        boolean dryRun = "All".equals(req.param("dryRun"));
        if (req.param("gracePeriodSeconds") != null) {
            try {
                grace = Long.parseLong(req.param("gracePeriodSeconds"));
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("gracePeriodSeconds: invalid value \"" + req.param("gracePeriodSeconds")
                        + "\": must be an integer");
            }
        }
        if (req.body().length > 0) {
            JsonNode b = Json.parse(req.body());
            if (b.hasNonNull("gracePeriodSeconds")) grace = b.get("gracePeriodSeconds").asLong();
            if (b.hasNonNull("propagationPolicy")) policy = b.get("propagationPolicy").asText();
            if (b.hasNonNull("orphanDependents") && policy == null) {
                policy = b.get("orphanDependents").asBoolean() ? "Orphan" : "Background";
            }
            JsonNode pre = b.path("preconditions");
            if (pre.hasNonNull("uid")) uid = pre.get("uid").asText();
            if (pre.hasNonNull("resourceVersion")) rv = pre.get("resourceVersion").asText();
            JsonNode dr = b.path("dryRun");
            if (dr.isArray() && !dr.isEmpty()) dryRun = true;
        }
        if (policy != null && !List.of("Orphan", "Background", "Foreground").contains(policy)) {
            throw ApiException.invalid("", "DeleteOptions", "", List.of(dev.berth.core.api.FieldError.notSupported(
                    "propagationPolicy", policy, List.of("Foreground", "Background", "Orphan"))));
        }
        if (grace != null && grace < 0) {
            grace = 0L;
        }
        return new ResourceStorage.DeleteOptions(grace, policy, uid, rv, dryRun);
    }

    private ApiResponse deleteCollection(ApiRequest req, ResourceType type, String ns, UserInfo user) {
        storage.fresh();
        ResourceCache rc = storage.cache().resource(type.storage());
        Predicate<CachedObject> filter = Selectors.filter(type.storage(), req.param("labelSelector"), req.param("fieldSelector"));
        List<CachedObject> victims = rc.list(type.namespacePrefix(ns == null || ns.isEmpty() ? null : ns)).stream()
                .filter(filter).toList();
        ResourceStorage.DeleteOptions opts = deleteOptions(req);
        List<byte[]> items = new ArrayList<>();
        for (CachedObject o : victims) {
            try {
                items.add(storage.delete(registry.byStorage(type.storage()).getFirst(), o.namespace(), o.name(), opts, user).json());
            } catch (ApiException e) {
                if (e.code() != 404) {
                    throw e;
                }
            }
        }
        return ApiResponse.Full.json(200, listBytes(type, items, storage.cache().revision(), null, null));
    }

    // ---- list ------------------------------------------------------------------------------

    private ApiResponse list(ApiRequest req, ResourceType type, String ns) {
        if (req.flag("watch")) {
            return watch(req, type, ns == null || ns.isEmpty() ? null : ns, null);
        }
        String rv = req.param("resourceVersion");
        String cont = req.param("continue");
        long limit = 0;
        if (req.param("limit") != null) {
            try {
                limit = Long.parseLong(req.param("limit"));
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("limit: invalid value \"" + req.param("limit") + "\": must be an integer");
            }
        }
        if (rv == null || rv.isEmpty()) {
            storage.fresh();
        } else if (!rv.equals("0")) {
            storage.waitForRevision(parseRv(rv));
        }
        String prefix = type.namespacePrefix(ns == null || ns.isEmpty() ? null : ns);
        ResourceCache rc = storage.cache().resource(type.storage());
        // (served and stored versions share the key layout)
        Predicate<CachedObject> filter = Selectors.filter(type.storage(), req.param("labelSelector"), req.param("fieldSelector"));
        long revision = storage.cache().revision();
        Collection<CachedObject> source;
        if (cont != null && !cont.isEmpty()) {
            Continue c = Continue.decode(cont);
            if (!c.prefix().equals(prefix)) {
                throw ApiException.badRequest("continue key is not valid for this request");
            }
            if (c.revision() < 0) {
                // a token handed out with an expired one: the rest of the list as it is now
                source = rc.listAfter(prefix, c.lastKey());
            } else {
                revision = c.revision();
                try {
                    source = rc.listAfterAt(prefix, c.lastKey(), c.revision());
                } catch (ResourceCache.TooOldException e) {
                    throw new ExpiredContinueException(new Continue(prefix, c.lastKey(), -1).encode());
                }
            }
        } else {
            source = rc.list(prefix);
        }
        List<CachedObject> items = new ArrayList<>();
        String next = null;
        long remaining = 0;
        Iterator<CachedObject> it = source.iterator();
        while (it.hasNext()) {
            CachedObject o = it.next();
            if (!filter.test(o)) {
                continue;
            }
            if (limit > 0 && items.size() >= limit) {
                remaining++;
                while (it.hasNext()) {
                    if (filter.test(it.next())) remaining++;
                }
                next = new Continue(prefix, items.getLast().key(), revision).encode();
                break;
            }
            items.add(o);
        }
        return formats.list(req, type, items, revision, next, next == null ? null : remaining);
    }

    static long parseRv(String rv) {
        try {
            return Long.parseLong(rv);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("resourceVersion: Invalid value: \"" + rv + "\": must be an integer");
        }
    }

    static byte[] listBytes(ResourceType type, List<byte[]> items, long revision, String cont, Long remaining) {
        byte[] head = ("{\"kind\":\"" + type.listKind() + "\",\"apiVersion\":\"" + type.apiVersion()
                + "\",\"metadata\":{\"resourceVersion\":\"" + revision + "\""
                + (cont != null ? ",\"continue\":\"" + cont + "\"" : "")
                + (remaining != null ? ",\"remainingItemCount\":" + remaining : "")
                + "},\"items\":[").getBytes(StandardCharsets.UTF_8);
        // the cached bytes are copied once, into a body of the exact size (lists of 100,000 pods are
        // hundreds of MiB: no growing buffer, no second copy)
        long size = head.length + 2L + Math.max(0, items.size() - 1);
        for (byte[] item : items) {
            size += item.length;
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new ApiException(500, "InternalError", "the list is too large (" + size
                    + " bytes) for one response; use limit and continue to page through it");
        }
        byte[] out = new byte[(int) size];
        System.arraycopy(head, 0, out, 0, head.length);
        int at = head.length;
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) out[at++] = ',';
            byte[] item = items.get(i);
            System.arraycopy(item, 0, out, at, item.length);
            at += item.length;
        }
        out[at++] = ']';
        out[at] = '}';
        return out;
    }

    /**
     * 410 Expired for a continue token whose revision is older than the changes the cache holds,
     * carrying (in the Status' metadata.continue) a token that lists the rest as it is now.
     */
    static final class ExpiredContinueException extends ApiException {
        final String inconsistentContinue;

        ExpiredContinueException(String inconsistentContinue) {
            super(410, "Expired", "The provided continue parameter is too old to display a consistent list result. "
                    + "You can start a new list without the continue parameter, or use the continue token in this "
                    + "response to retrieve the remainder of the results. Continuing with the provided token results in "
                    + "an inconsistent list - objects that were created, modified, or deleted between the time the first "
                    + "chunk was returned and now may show up in the list.");
            this.inconsistentContinue = inconsistentContinue;
        }
    }

    record Continue(String prefix, String lastKey, long revision) {
        String encode() {
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("v", "meta.k8s.io/v1");
            n.put("rv", revision);
            n.put("start", lastKey);
            n.put("prefix", prefix);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.bytes(n));
        }

        static Continue decode(String token) {
            try {
                JsonNode n = Json.parse(Base64.getUrlDecoder().decode(token));
                return new Continue(n.path("prefix").asText(), n.path("start").asText(), n.path("rv").asLong());
            } catch (RuntimeException e) {
                throw ApiException.badRequest("continue key is not valid: " + e.getMessage());
            }
        }
    }

    // ---- watch -----------------------------------------------------------------------------

    private ApiResponse watch(ApiRequest req, ResourceType type, String ns, String name) {
        String rv = req.param("resourceVersion");
        long from = rv == null || rv.isEmpty() || rv.equals("0") ? -1 : parseRv(rv);
        String fieldSelector = req.param("fieldSelector");
        if (name != null && !name.isEmpty()) {
            fieldSelector = (fieldSelector == null || fieldSelector.isEmpty() ? "" : fieldSelector + ",")
                    + "metadata.name=" + name;
        }
        Predicate<CachedObject> filter = Selectors.filter(type.storage(), req.param("labelSelector"), fieldSelector);
        long timeoutSeconds = req.param("timeoutSeconds") == null ? 1800 + (long) (Math.random() * 1800)
                : Math.max(0, Long.parseLong(req.param("timeoutSeconds")));
        boolean bookmarks = req.flag("allowWatchBookmarks");
        if (from < 0 && (rv == null || rv.isEmpty())) {
            storage.fresh();
        } else if (from > storage.cache().revision()) {
            storage.waitForRevision(from);
        }
        ResourceCache rc = storage.cache().resource(type.storage());
        String prefix = type.namespacePrefix(ns);
        boolean tableFormat = formats.wantsTable(req);
        Watcher watcher;
        try {
            watcher = rc.watch(prefix, filter, from, WATCH_QUEUE);
        } catch (ResourceCache.TooOldException e) {
            return new ApiResponse.Streaming(200, "application/json", Map.of(), out -> {
                ApiException gone = new ApiException(410, "Expired", e.getMessage());
                out.write(eventBytes("ERROR", Json.bytes(StatusErrors.status(gone)), !req.websocketUpgrade()));
            });
        }
        Map<String, String> headers = new LinkedHashMap<>();
        return new ApiResponse.Streaming(200, "application/json", headers, out -> {
            out.onClose(watcher::close);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            long nextBookmark = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            boolean first = true;
            try {
                while (!out.isClosed()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    CacheEvent e = watcher.poll(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
                    if (e == null) {
                        if (watcher.isDone()) {
                            break;
                        }
                        if (bookmarks && System.nanoTime() > nextBookmark) {
                            nextBookmark = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                            String bm = "{\"kind\":\"" + type.kind() + "\",\"apiVersion\":\"" + type.apiVersion()
                                    + "\",\"metadata\":{\"resourceVersion\":\"" + storage.cache().revision() + "\"}}";
                            out.write(eventBytes("BOOKMARK", bm.getBytes(StandardCharsets.UTF_8), !req.websocketUpgrade()));
                        }
                        continue;
                    }
                    if (e == Watcher.OVERFLOW) {
                        break;
                    }
                    byte[] obj = tableFormat ? formats.tableEvent(req, type, e.object(), first) : formats.convert(type, e.object().json());
                    first = false;
                    byte[] event = eventBytes(e.type().name(), obj, !req.websocketUpgrade());
                    if (req.websocketUpgrade()) {
                        out.write(event); // one event per frame
                        continue;
                    }
                    // events already queued go out in the same chunk: one write and one flush for a
                    // burst instead of one per event (many watchers x many events per second)
                    ByteArrayOutputStream batch = null;
                    boolean overflow = false;
                    for (int n = 1; n < WATCH_EVENTS_PER_CHUNK; n++) {
                        CacheEvent more = watcher.poll(0, TimeUnit.NANOSECONDS);
                        if (more == null) {
                            break;
                        }
                        if (more == Watcher.OVERFLOW) {
                            overflow = true;
                            break;
                        }
                        if (batch == null) {
                            batch = new ByteArrayOutputStream(event.length * 4);
                            batch.writeBytes(event);
                        }
                        byte[] moreObj = tableFormat ? formats.tableEvent(req, type, more.object(), false)
                                : formats.convert(type, more.object().json());
                        batch.writeBytes(eventBytes(more.type().name(), moreObj, true));
                        if (batch.size() >= WATCH_CHUNK_BYTES) {
                            break;
                        }
                    }
                    out.write(batch == null ? event : batch.toByteArray());
                    if (overflow) {
                        break;
                    }
                }
            } finally {
                watcher.close();
            }
        });
    }

    static byte[] eventBytes(String type, byte[] object, boolean newline) {
        byte[] head = ("{\"type\":\"" + type + "\",\"object\":").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[head.length + object.length + (newline ? 2 : 1)];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(object, 0, out, head.length, object.length);
        out[head.length + object.length] = '}';
        if (newline) {
            out[out.length - 1] = '\n';
        }
        return out;
    }

    static Optional<HasMetadata> none() {
        return Optional.empty();
    }
}
