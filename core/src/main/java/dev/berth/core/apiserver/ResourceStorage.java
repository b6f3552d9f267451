package dev.berth.core.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.api.FieldError;
import dev.berth.core.api.Json;
import dev.berth.core.apiserver.admission.AdmissionChain;
import dev.berth.core.apiserver.admission.AdmissionRequest;
import dev.berth.core.apiserver.auth.UserInfo;
import dev.berth.core.apiserver.cache.CachedObject;
import dev.berth.core.apiserver.cache.ObjectCache;
import dev.berth.core.apiserver.cache.ResourceVersions;
import dev.berth.core.apiserver.cache.ValueTransformer;
import dev.berth.core.apiserver.registry.ResourceType;
import dev.berth.core.store.Store;
import dev.berth.core.store.StoreException;
import dev.berth.core.store.StoredValue;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

/**
 * Kubernetes object semantics over the store: create, update, patch, delete with metadata
 * management, admission, generation, optimistic concurrency, finalizers and graceful deletion.
 * Reads come from the cache after it caught up with the store.
 */
public final class ResourceStorage {
    private static final int MAX_RETRIES = 16;
    private static final char[] NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789".toCharArray();

    private final Store store;
    private final ObjectCache cache;
    private final ValueTransformer transformer;
    private final TypedCodec codec;
    private final AdmissionChain admission;
    private final PatchEngine patches;
    private final Clock clock;
    private final List<StorageHook> hooks = new ArrayList<>();
    private final SecureRandom random = new SecureRandom();
    private final Duration readTimeout = Duration.ofSeconds(30);

    /** Side effects tied to writes of some resources (service IP allocation and release). */
    public interface StorageHook {
        default void beforeCreate(ResourceType type, HasMetadata obj, boolean dryRun) {}

        default void beforeUpdate(ResourceType type, HasMetadata obj, HasMetadata old, boolean dryRun) {}

        default void afterDelete(ResourceType type, HasMetadata obj) {}

        /** A create or update failed after {@code beforeCreate}/{@code beforeUpdate}: undo. */
        default void writeFailed(ResourceType type, HasMetadata obj, HasMetadata old) {}
    }

    /** How one write is done. */
    public record WriteOptions(boolean dryRun, TypedCodec.FieldValidation validation, String fieldManager,
                               UserInfo user, List<String> warnings) {}

    /** The outcome: HTTP code, the object as JSON (resourceVersion stamped), and the object. */
    public record Result(int code, byte[] json, HasMetadata object) {}

    /** What a delete asks for. */
    public record DeleteOptions(Long gracePeriodSeconds, String propagationPolicy, String preconditionUid,
                                String preconditionResourceVersion, boolean dryRun) {
        public static final DeleteOptions DEFAULT = new DeleteOptions(null, null, null, null, false);
    }

    public ResourceStorage(Store store, ObjectCache cache, ValueTransformer transformer, TypedCodec codec,
                           AdmissionChain admission, PatchEngine patches, Clock clock) {
        this.store = store;
        this.cache = cache;
        this.transformer = transformer;
        this.codec = codec;
        this.admission = admission;
        this.patches = patches;
        this.clock = clock;
    }

    public void addHook(StorageHook hook) {
        hooks.add(hook);
    }

    public ObjectCache cache() {
        return cache;
    }

    public Store store() {
        return store;
    }

    public TypedCodec codec() {
        return codec;
    }

    public Clock clock() {
        return clock;
    }

    public PatchEngine patchEngine() {
        return patches;
    }

    /** Writes a binding: spec.nodeName and the PodScheduled condition, conditional on the read revision. */
    void bindWrite(ResourceType t, CachedObject current, ObjectNode pod, WriteOptions o) {
        HasMetadata obj = codec.decode(t, pod, TypedCodec.FieldValidation.IGNORE, o.warnings());
        byte[] json = codec.encode(obj);
        try {
            store.update(current.key(), transformer.toStorage(current.key(), json), current.modRevision());
        } catch (StoreException.Conflict | StoreException.KeyNotFound e) {
            throw ApiException.modified(t.group(), t.resource(), current.name());
        }
    }

    // ---- reads -------------------------------------------------------------------------------

    /** Waits until the cache holds every write acknowledged so far. */
    public void fresh() {
        try {
            cache.waitFresh(readTimeout);
        } catch (TimeoutException e) {
            throw new ApiException(504, "Timeout", "Timeout: the cache did not catch up with the store: " + e.getMessage());
        }
    }

    public void waitForRevision(long rev) {
        try {
            cache.waitFor(rev, readTimeout);
        } catch (TimeoutException e) {
            throw new ApiException(504, "Timeout", "Timeout: Too large resource version: " + rev
                    + ", current: " + cache.revision());
        }
    }

    public CachedObject find(ResourceType t, String ns, String name) {
        fresh();
        return cache.resource(t.storage()).get(t.key(ns, name));
    }

    public CachedObject get(ResourceType t, String ns, String name) {
        CachedObject o = find(t, ns, name);
        if (o == null) {
            throw ApiException.notFound(t.group(), t.resource(), name);
        }
        return o;
    }

    public HasMetadata typed(ResourceType t, CachedObject o) {
        return codec.fromJson(t, o.json());
    }

    // ---- create ------------------------------------------------------------------------------

    public Result create(ResourceType t, String ns, ObjectNode body, WriteOptions o) {
        checkTypeMeta(t, body);
        ObjectNode meta = metadataOf(body);
        namespaceOf(t, ns, meta);
        String name = meta.path("name").asText("");
        String generateName = meta.path("generateName").asText("");
        if (name.isEmpty() && !generateName.isEmpty()) {
            name = generateName + randomSuffix();
            meta.put("name", name);
        }
        if (name.isEmpty()) {
            throw ApiException.invalid(t.group(), t.kind(), "",
                    List.of(FieldError.required("metadata.name", "name or generateName is required")));
        }
        if (t.hasSubresource("status") && !t.resource().equals("namespaces") && !t.resource().equals("nodes")) {
            body.remove("status");
        }
        initMetadata(meta);
        HasMetadata obj = codec.decode(t, body, o.validation(), o.warnings());
        // managed fields are computed from the decoded object, so that dropped unknown fields own nothing
        recordManagedFields(t, obj, null, o.fieldManager(), "");
        return createTyped(t, obj, o);
    }

    /** What the server sets on every new object, whatever the client sent. */
    private void initMetadata(ObjectNode meta) {
        meta.remove(List.of("resourceVersion", "uid", "creationTimestamp", "deletionTimestamp",
                "deletionGracePeriodSeconds", "selfLink", "generation"));
        meta.put("uid", UUID.randomUUID().toString());
        meta.put("creationTimestamp", timestamp(clock.instant()));
        meta.put("generation", 1);
    }

    /** Creates an object already shaped by server-side apply. */
    public Result createApplied(ResourceType t, String ns, ObjectNode applied, WriteOptions o) {
        ObjectNode meta = metadataOf(applied);
        namespaceOf(t, ns, meta);
        initMetadata(meta);
        HasMetadata obj = codec.decode(t, applied, o.validation(), o.warnings());
        return createTyped(t, obj, o);
    }

    /** Where admission's warnings go: the request's list, or a throwaway one for internal writes. */
    private static List<String> warningsOf(WriteOptions o) {
        return o.warnings() != null ? o.warnings() : new java.util.ArrayList<>();
    }

    private Result createTyped(ResourceType t, HasMetadata obj, WriteOptions o) {
        admission.admit(new AdmissionRequest(t, AdmissionRequest.Operation.CREATE, "", obj, null, o.user(), o.dryRun(),
                warningsOf(o)));
        String key = t.key(obj.getMetadata().getNamespace(), obj.getMetadata().getName());
        if (o.dryRun()) {
            if (find(t, obj.getMetadata().getNamespace(), obj.getMetadata().getName()) != null) {
                throw ApiException.alreadyExists(t.group(), t.resource(), obj.getMetadata().getName());
            }
            hooks.forEach(h -> h.beforeCreate(t, obj, true));
            return new Result(201, codec.encode(obj), obj);
        }
        hooks.forEach(h -> h.beforeCreate(t, obj, false));
        byte[] json = codec.encode(obj);
        StoredValue v;
        try {
            v = store.create(key, transformer.toStorage(key, json));
        } catch (StoreException.KeyExists e) {
            hooks.forEach(h -> h.writeFailed(t, obj, null));
            throw ApiException.alreadyExists(t.group(), t.resource(), obj.getMetadata().getName());
        } catch (RuntimeException e) {
            hooks.forEach(h -> h.writeFailed(t, obj, null));
            throw e;
        }
        obj.getMetadata().setResourceVersion(Long.toString(v.modRevision()));
        return new Result(201, ResourceVersions.stamp(json, v.modRevision()), obj);
    }

    // ---- update ------------------------------------------------------------------------------

    /** PUT: replaces the object (or its status, with {@code subresource} "status"). */
    public Result update(ResourceType t, String ns, String name, ObjectNode body, WriteOptions o, String subresource) {
        checkTypeMeta(t, body);
        ObjectNode meta = metadataOf(body);
        String bodyName = meta.path("name").asText("");
        if (!bodyName.isEmpty() && !bodyName.equals(name)) {
            throw ApiException.badRequest("the name of the object (" + bodyName
                    + ") does not match the name on the URL (" + name + ")");
        }
        namespaceOf(t, ns, meta);
        String rv = meta.path("resourceVersion").asText("");
        return guaranteedUpdate(t, ns, name, o, subresource, !rv.isEmpty(), current -> {
            if (!rv.isEmpty() && !rv.equals(Long.toString(current.modRevision()))) {
                throw ApiException.modified(t.group(), t.resource(), name);
            }
            return body.deepCopy();
        }, false);
    }

    /** PATCH of any type; apply creates the object when missing. */
    public Result patch(ResourceType t, String ns, String name, String contentType, byte[] patchBody, WriteOptions o,
                        String subresource, boolean force) {
        boolean apply = contentType.equals("application/apply-patch+yaml")
                || contentType.equals("application/apply-patch+cbor");
        if (apply) {
            if (o.fieldManager() == null || o.fieldManager().isEmpty()) {
                throw ApiException.badRequest("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: "
                        + "is required for apply patch");
            }
            ObjectNode applied = parseApply(patchBody);
            if (t.isCustom() && applied.path("apiVersion").asText("").startsWith(t.group() + "/")) {
                // another served version of the CRD: conversion strategy None changes only apiVersion
                applied.put("apiVersion", t.apiVersion());
            }
            checkTypeMeta(t, applied);
            ObjectNode meta = metadataOf(applied);
            String bodyName = meta.path("name").asText("");
            if (!bodyName.isEmpty() && !bodyName.equals(name)) {
                throw ApiException.badRequest("the name of the object (" + bodyName
                        + ") does not match the name on the URL (" + name + ")");
            }
            meta.put("name", name);
            namespaceOf(t, ns, meta);
            CachedObject current = find(t, ns, name);
            if (current == null && subresource.isEmpty()) {
                ObjectNode created = patches.apply(t, null, applied, o.fieldManager(), force, "", clock.instant());
                try {
                    return createApplied(t, ns, created, o);
                } catch (ApiException e) {
                    if (e.code() != 409 || !"AlreadyExists".equals(e.reason())) {
                        throw e;
                    }
                    // created meanwhile: apply onto it
                }
            } else if (current == null) {
                throw ApiException.notFound(t.group(), t.resource(), name);
            }
            return guaranteedUpdate(t, ns, name, o, subresource, false,
                    cur -> patches.apply(t, cur.tree(), applied.deepCopy(), o.fieldManager(), force, subresource,
                            clock.instant()), true);
        }
        return guaranteedUpdate(t, ns, name, o, subresource, false,
                cur -> patches.patch(t, cur.tree(), contentType, patchBody), false);
    }

    private static ObjectNode parseApply(byte[] body) {
        try {
            JsonNode n = Json.YAML.readTree(body);
            if (!(n instanceof ObjectNode on)) {
                throw ApiException.badRequest("error decoding YAML: the apply configuration must be an object");
            }
            return on;
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("error decoding YAML: " + e.getMessage());
        }
    }

    interface Mutation {
        ObjectNode next(CachedObject current);
    }

    /** Reads the current object, computes the next, writes it if unchanged meanwhile; retries otherwise. */
    private Result guaranteedUpdate(ResourceType t, String ns, String name, WriteOptions o, String subresource,
                                    boolean clientPrecondition, Mutation mutation, boolean managedByApply) {
        for (int attempt = 0; ; attempt++) {
            CachedObject current = get(t, ns, name);
            ObjectNode next = mutation.next(current);
            try {
                return finishUpdate(t, current, next, o, subresource, managedByApply);
            } catch (StoreException.Conflict | StoreException.KeyNotFound e) {
                if (clientPrecondition) {
                    throw ApiException.modified(t.group(), t.resource(), name);
                }
                if (attempt >= MAX_RETRIES) {
                    throw ApiException.modified(t.group(), t.resource(), name);
                }
                waitForRevision(e instanceof StoreException.Conflict c ? c.actualRevision() : store.currentRevision());
            }
        }
    }

    private Result finishUpdate(ResourceType t, CachedObject current, ObjectNode next, WriteOptions o,
                                String subresource, boolean managedByApply) {
        ObjectNode old = current.tree();
        ObjectNode oldMeta = (ObjectNode) old.get("metadata");
        ObjectNode meta = metadataOf(next);
        switch (subresource) {
            case "status" -> {
                // only status changes through the status subresource
                ObjectNode merged = old.deepCopy();
                if (next.has("status")) {
                    merged.set("status", next.get("status"));
                } else {
                    merged.remove("status");
                }
                ObjectNode mm = (ObjectNode) merged.get("metadata");
                if (meta.has("managedFields")) mm.set("managedFields", meta.get("managedFields"));
                next = merged;
                meta = mm;
            }
            case "finalize" -> {
                ObjectNode merged = old.deepCopy();
                JsonNode finalizers = next.path("spec").path("finalizers");
                merged.withObject("spec").set("finalizers",
                        finalizers.isArray() ? finalizers.deepCopy() : Json.MAPPER.createArrayNode());
                next = merged;
                meta = (ObjectNode) merged.get("metadata");
            }
            case "" -> {
                if (t.hasSubresource("status")) {
                    if (old.has("status")) {
                        next.set("status", old.get("status"));
                    } else {
                        next.remove("status");
                    }
                }
            }
            default -> {
                // scale and friends arrive here already merged into the parent
            }
        }
        next.put("apiVersion", t.apiVersion());
        next.put("kind", t.kind());
        for (String f : List.of("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                "name", "namespace")) {
            if (oldMeta.has(f)) {
                meta.set(f, oldMeta.get(f));
            } else {
                meta.remove(f);
            }
        }
        meta.remove(List.of("resourceVersion", "selfLink"));
        meta.set("generation", oldMeta.get("generation"));
        HasMetadata obj = codec.decode(t, next, o.validation(), o.warnings());
        if (!managedByApply) {
            recordManagedFields(t, obj, old, o.fieldManager(), subresource);
        }
        HasMetadata oldObj = codec.fromJson(t, current.json());
        admission.admit(new AdmissionRequest(t, AdmissionRequest.Operation.UPDATE, subresource, obj, oldObj, o.user(),
                o.dryRun(), warningsOf(o)));
        // generation follows changes of everything but metadata and status (compared as parsed JSON:
        // a tree made from the typed object holds longs where a parsed one holds ints)
        byte[] json = codec.encode(obj);
        if (!specOf(Json.parseObject(json)).equals(specOf(old))) {
            long gen = oldMeta.path("generation").asLong(0);
            obj.getMetadata().setGeneration(gen + 1);
            json = codec.encode(obj);
        }
        String key = current.key();
        if (deletionComplete(obj)) {
            if (o.dryRun()) {
                return new Result(200, json, obj);
            }
            StoredValue d = store.delete(key, current.modRevision());
            hooks.forEach(h -> h.afterDelete(t, obj));
            return new Result(200, ResourceVersions.stamp(json, d.modRevision()), obj);
        }
        // unchanged: the cached bytes are the stored canonical form with the revision stamped in
        if (Arrays.equals(ResourceVersions.stamp(json, current.modRevision()), current.json())) {
            return new Result(200, current.json(), oldObj);
        }
        if (o.dryRun()) {
            return new Result(200, ResourceVersions.stamp(json, current.modRevision()), obj);
        }
        hooks.forEach(h -> h.beforeUpdate(t, obj, oldObj, false));
        StoredValue v;
        try {
            v = store.update(key, transformer.toStorage(key, json), current.modRevision());
        } catch (RuntimeException e) {
            hooks.forEach(h -> h.writeFailed(t, obj, oldObj));
            throw e;
        }
        obj.getMetadata().setResourceVersion(Long.toString(v.modRevision()));
        return new Result(200, ResourceVersions.stamp(json, v.modRevision()), obj);
    }

    private void recordManagedFields(ResourceType t, HasMetadata obj, ObjectNode before, String manager, String subresource) {
        ObjectNode after = patches.recordUpdate(t, before, Json.tree(obj), manager, subresource, clock.instant());
        JsonNode mf = after.path("metadata").path("managedFields");
        if (mf.isArray()) {
            obj.getMetadata().setManagedFields(java.util.Arrays.asList(
                    Json.MAPPER.convertValue(mf, io.fabric8.kubernetes.api.model.ManagedFieldsEntry[].class)));
        } else {
            obj.getMetadata().setManagedFields(new ArrayList<>());
        }
    }

    private static boolean deletionComplete(HasMetadata obj) {
        if (obj.getMetadata().getDeletionTimestamp() == null) {
            return false;
        }
        if (obj.getMetadata().getFinalizers() != null && !obj.getMetadata().getFinalizers().isEmpty()) {
            return false;
        }
        if (obj instanceof io.fabric8.kubernetes.api.model.Namespace ns && ns.getSpec() != null
                && ns.getSpec().getFinalizers() != null && !ns.getSpec().getFinalizers().isEmpty()) {
            return false;
        }
        // a pod on a node is removed by its node (with grace 0), unless it was never bound to one
        if (obj instanceof io.fabric8.kubernetes.api.model.Pod pod) {
            Long grace = obj.getMetadata().getDeletionGracePeriodSeconds();
            boolean onNode = pod.getSpec() != null && pod.getSpec().getNodeName() != null
                    && !pod.getSpec().getNodeName().isEmpty();
            return !onNode || grace == null || grace == 0;
        }
        return true;
    }

    private static JsonNode specOf(ObjectNode tree) {
        ObjectNode c = tree.deepCopy();
        c.remove(List.of("metadata", "status", "apiVersion", "kind"));
        return c;
    }

    // ---- delete ------------------------------------------------------------------------------

    public Result delete(ResourceType t, String ns, String name, DeleteOptions opts, UserInfo user) {
        for (int attempt = 0; ; attempt++) {
            CachedObject current = get(t, ns, name);
            HasMetadata obj = codec.fromJson(t, current.json());
            String uid = obj.getMetadata().getUid();
            if (opts.preconditionUid() != null && !opts.preconditionUid().equals(uid)) {
                throw ApiException.conflict(t.group(), t.resource(), name, "Precondition failed: UID in precondition: "
                        + opts.preconditionUid() + ", UID in object meta: " + uid);
            }
            if (opts.preconditionResourceVersion() != null
                    && !opts.preconditionResourceVersion().equals(Long.toString(current.modRevision()))) {
                throw ApiException.conflict(t.group(), t.resource(), name,
                        "Precondition failed: ResourceVersion in precondition: " + opts.preconditionResourceVersion()
                                + ", ResourceVersion in object meta: " + current.modRevision());
            }
            admission.admit(new AdmissionRequest(t, AdmissionRequest.Operation.DELETE, "", null, obj, user, opts.dryRun()));
            try {
                return deleteOnce(t, current, obj, opts);
            } catch (StoreException.Conflict e) {
                if (attempt >= MAX_RETRIES) {
                    throw ApiException.modified(t.group(), t.resource(), name);
                }
                waitForRevision(e.actualRevision());
            } catch (StoreException.KeyNotFound e) {
                throw ApiException.notFound(t.group(), t.resource(), name);
            }
        }
    }

    private Result deleteOnce(ResourceType t, CachedObject current, HasMetadata obj, DeleteOptions opts) {
        var meta = obj.getMetadata();
        Instant now = clock.instant();
        boolean changed = false;
        // graceful pod deletion: the node finishes it
        if (obj instanceof io.fabric8.kubernetes.api.model.Pod pod) {
            long grace = opts.gracePeriodSeconds() != null ? opts.gracePeriodSeconds()
                    : pod.getSpec() != null && pod.getSpec().getTerminationGracePeriodSeconds() != null
                    ? pod.getSpec().getTerminationGracePeriodSeconds() : 30;
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            boolean onNode = pod.getSpec() != null && pod.getSpec().getNodeName() != null
                    && !pod.getSpec().getNodeName().isEmpty();
            boolean terminal = "Succeeded".equals(phase) || "Failed".equals(phase);
            if (!onNode || terminal) {
                grace = 0;
            }
            if (grace > 0) {
                Long currentGrace = meta.getDeletionGracePeriodSeconds();
                if (currentGrace == null || grace < currentGrace) {
                    meta.setDeletionTimestamp(timestamp(now.plusSeconds(grace)));
                    meta.setDeletionGracePeriodSeconds(grace);
                    changed = true;
                }
                return writeDeleting(t, current, obj, opts, changed);
            }
        }
        String policy = opts.propagationPolicy() == null ? "Background" : opts.propagationPolicy();
        List<String> finalizers = meta.getFinalizers() == null ? new ArrayList<>() : new ArrayList<>(meta.getFinalizers());
        if (meta.getDeletionTimestamp() == null) {
            if (policy.equals("Foreground") && !finalizers.contains("foregroundDeletion")) {
                finalizers.add("foregroundDeletion");
            } else if (policy.equals("Orphan") && !finalizers.contains("orphan")) {
                finalizers.add("orphan");
            }
        }
        boolean nsFinalizers = obj instanceof io.fabric8.kubernetes.api.model.Namespace n && n.getSpec() != null
                && n.getSpec().getFinalizers() != null && !n.getSpec().getFinalizers().isEmpty();
        if (!finalizers.isEmpty() || nsFinalizers) {
            if (meta.getDeletionTimestamp() == null) {
                meta.setDeletionTimestamp(timestamp(now));
                meta.setDeletionGracePeriodSeconds(0L);
                changed = true;
            }
            if (!finalizers.equals(meta.getFinalizers() == null ? List.of() : meta.getFinalizers())) {
                meta.setFinalizers(finalizers);
                changed = true;
            }
            if (obj instanceof io.fabric8.kubernetes.api.model.Namespace n) {
                if (n.getStatus() == null) {
                    n.setStatus(new io.fabric8.kubernetes.api.model.NamespaceStatus());
                }
                if (!"Terminating".equals(n.getStatus().getPhase())) {
                    n.getStatus().setPhase("Terminating");
                    changed = true;
                }
            }
            return writeDeleting(t, current, obj, opts, changed);
        }
        if (opts.dryRun()) {
            return new Result(200, current.json(), obj);
        }
        StoredValue d = store.delete(current.key(), current.modRevision());
        hooks.forEach(h -> h.afterDelete(t, obj));
        byte[] deleted = ResourceVersions.stamp(codec.encode(obj), d.modRevision());
        meta.setResourceVersion(Long.toString(d.modRevision()));
        return new Result(200, deleted, obj);
    }

    private Result writeDeleting(ResourceType t, CachedObject current, HasMetadata obj, DeleteOptions opts,
                                 boolean changed) {
        if (!changed || opts.dryRun()) {
            byte[] json = changed ? ResourceVersions.stamp(codec.encode(obj), current.modRevision()) : current.json();
            return new Result(changed ? 200 : 202, json, obj);
        }
        byte[] json = codec.encode(obj);
        StoredValue v = store.update(current.key(), transformer.toStorage(current.key(), json), current.modRevision());
        return new Result(200, ResourceVersions.stamp(json, v.modRevision()), obj);
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static ObjectNode metadataOf(ObjectNode body) {
        JsonNode m = body.get("metadata");
        if (m == null || m.isNull()) {
            return body.putObject("metadata");
        }
        if (!(m instanceof ObjectNode mo)) {
            throw ApiException.badRequest("metadata: must be an object");
        }
        return mo;
    }

    private static void namespaceOf(ResourceType t, String ns, ObjectNode meta) {
        if (!t.namespaced()) {
            meta.remove("namespace");
            return;
        }
        String bodyNs = meta.path("namespace").asText("");
        if (!bodyNs.isEmpty() && !bodyNs.equals(ns)) {
            throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        meta.put("namespace", ns);
    }

    /** apiVersion and kind, when given, must name the resource of the URL. */
    static void checkTypeMeta(ResourceType t, ObjectNode body) {
        String apiVersion = body.path("apiVersion").asText("");
        String kind = body.path("kind").asText("");
        if (!apiVersion.isEmpty() && !apiVersion.equals(t.apiVersion())) {
            throw ApiException.badRequest("the API version in the data (" + apiVersion
                    + ") does not match the expected API version (" + t.apiVersion() + ")");
        }
        if (!kind.isEmpty() && !kind.equals(t.kind())) {
            throw ApiException.badRequest("the kind in the data (" + kind + ") does not match the expected kind ("
                    + t.kind() + ")");
        }
        body.put("apiVersion", t.apiVersion());
        body.put("kind", t.kind());
    }

    private String randomSuffix() {
        char[] c = new char[5];
        for (int i = 0; i < c.length; i++) {
            c[i] = NAME_ALPHABET[random.nextInt(NAME_ALPHABET.length)];
        }
        return new String(c);
    }

    public static String timestamp(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
    }

    static ArrayNode array(JsonNode n) {
        return n instanceof ArrayNode a ? a : Json.MAPPER.createArrayNode();
    }
}
