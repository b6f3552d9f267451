package dev.berth.core.apiserver.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.api.Json;
import dev.berth.core.apiserver.ResourceStorage;
import dev.berth.core.apiserver.TypedCodec;
import dev.berth.core.apiserver.auth.UserInfo;
import dev.berth.core.apiserver.cache.CacheEvent;
import dev.berth.core.apiserver.cache.CachedObject;
import dev.berth.core.apiserver.cache.Watcher;
import dev.berth.core.apiserver.openapi.ServedKind;
import dev.berth.core.apiserver.registry.ResourceRegistry;
import dev.berth.core.apiserver.registry.ResourceType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The API server's own handling of CustomResourceDefinitions: serves the versions of every CRD
 * (registry, schemas, OpenAPI), keeps the CRD's status (NamesAccepted, Established, accepted
 * names, stored versions) and, when a CRD is deleted, deletes its custom resources before
 * releasing the {@value #CLEANUP_FINALIZER} finalizer. Watch events only enqueue names; one
 * worker reconciles a name at a time from the cache.
 */
public final class CustomResourceDefinitions implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CustomResourceDefinitions.class);
    public static final String CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io";
    static final String STORAGE = "apiextensions.k8s.io/customresourcedefinitions";
    private static final UserInfo SYSTEM = new UserInfo("system:apiserver", List.of(UserInfo.MASTERS));

    private final ResourceRegistry registry;
    private final ResourceStorage storage;
    private final CustomResources catalog;
    private final Consumer<List<ServedKind>> openApi;
    private final ResourceType crdType;
    private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final Set<String> queued = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The spec each storage is served from, to skip rebuilding what did not change. */
    private final java.util.Map<String, JsonNode> servedSpecs = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean closed;
    private Watcher watcher;
    private Thread events;
    private Thread worker;

    public CustomResourceDefinitions(ResourceRegistry registry, ResourceStorage storage, CustomResources catalog,
                                     Consumer<List<ServedKind>> openApi) {
        this.registry = registry;
        this.storage = storage;
        this.catalog = catalog;
        this.openApi = openApi;
        this.crdType = registry.byStorage(STORAGE).getFirst();
    }

    /** Serves the CRDs already stored (before the server answers), then follows changes. */
    public void start() {
        storage.fresh();
        watcher = storage.cache().resource(STORAGE).watch(crdType.keyPrefix(), o -> true, -1, 10_000);
        for (CachedObject o : storage.cache().resource(STORAGE).list(crdType.keyPrefix())) {
            ObjectNode crd = o.tree();
            if (nameConflict(crd) == null) {
                serve(crd);
            }
        }
        publish();
        events = Thread.ofVirtual().name("crd-events").start(this::followEvents);
        worker = Thread.ofVirtual().name("crd-worker").start(this::work);
    }

    private void followEvents() {
        try {
            while (!closed) {
                CacheEvent e = watcher.poll(1, TimeUnit.SECONDS);
                if (e == Watcher.OVERFLOW || e == null && watcher.isDone()) {
                    if (closed) {
                        return;
                    }
                    // lost events: start over from the current state
                    watcher.close();
                    watcher = storage.cache().resource(STORAGE).watch(crdType.keyPrefix(), o -> true, -1, 10_000);
                    continue;
                }
                if (e != null) {
                    enqueue(e.object().name());
                    if (e.type() == CacheEvent.Type.DELETED) {
                        // names it held may now be free for another definition
                        storage.cache().resource(STORAGE).list(crdType.keyPrefix()).forEach(o -> enqueue(o.name()));
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void enqueue(String name) {
        if (queued.add(name)) {
            queue.add(name);
        }
    }

    private void work() {
        while (!closed) {
            String name;
            try {
                name = queue.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (name == null) {
                continue;
            }
            queued.remove(name);
            boolean again;
            try {
                again = reconcile(name);
            } catch (RuntimeException e) {
                if (!closed) {
                    LOG.warn("customresourcedefinition {}: {}", name, e.toString());
                }
                again = true;
            }
            if (again && !closed) {
                Thread.ofVirtual().start(() -> {
                    try {
                        Thread.sleep(500);
                        enqueue(name);
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
        }
    }

    /** Brings one CRD's serving and status in line with its spec; true to try again later. */
    boolean reconcile(String name) {
        CachedObject current = storage.find(crdType, "", name);
        if (current == null) {
            int dot = name.indexOf('.');
            if (dot > 0) {
                unserve(name.substring(dot + 1) + "/" + name.substring(0, dot));
            }
            return false;
        }
        ObjectNode crd = current.tree();
        boolean deleting = crd.path("metadata").hasNonNull("deletionTimestamp");
        Rejection conflict = nameConflict(crd);
        if (conflict != null) {
            String storageName = storageOf(crd);
            if (storageName != null && servedBy(storageName, name)) {
                unserve(storageName);
            }
            if (deleting) {
                return releaseFinalizer(current);
            }
            return !writeStatus(current, crd, false, conflict);
        }
        serve(crd);
        publish();
        if (deleting) {
            return cleanUp(current, crd);
        }
        return !writeStatus(current, crd, false, null);
    }

    /** Why a CRD's names cannot be served: reason and message of its NamesAccepted condition. */
    record Rejection(String reason, String message) {}

    /**
     * The names of a CRD conflict with a built-in resource, or with an older CRD of the same group
     * (kind or short names); null when they are free.
     */
    Rejection nameConflict(JsonNode crd) {
        String storageName = storageOf(crd);
        if (storageName == null) {
            return new Rejection("NoConflicts", "no names to accept");
        }
        for (ResourceType t : registry.byStorage(storageName)) {
            if (!t.isCustom()) {
                return new Rejection("PluralConflict", "\"" + t.resource() + "\" is already in use");
            }
        }
        String name = crd.path("metadata").path("name").asText();
        String group = crd.path("spec").path("group").asText();
        JsonNode names = crd.path("spec").path("names");
        for (CachedObject o : storage.cache().resource(STORAGE).list(crdType.keyPrefix())) {
            if (o.name().equals(name)) {
                continue;
            }
            ObjectNode other = o.tree();
            if (!group.equals(other.path("spec").path("group").asText()) || !earlier(other, crd)) {
                continue;
            }
            JsonNode otherNames = other.path("spec").path("names");
            if (names.path("kind").asText().equals(otherNames.path("kind").asText())) {
                return new Rejection("KindConflict", "\"" + names.path("kind").asText() + "\" is already in use");
            }
            List<String> taken = new ArrayList<>(strings(otherNames.path("shortNames")));
            taken.add(otherNames.path("plural").asText());
            taken.add(otherNames.path("singular").asText());
            for (String shortName : strings(names.path("shortNames"))) {
                if (taken.contains(shortName)) {
                    return new Rejection("ShortNamesConflict", "\"" + shortName + "\" is already in use");
                }
            }
        }
        return null;
    }

    private static boolean earlier(JsonNode a, JsonNode b) {
        int c = a.path("metadata").path("creationTimestamp").asText().compareTo(
                b.path("metadata").path("creationTimestamp").asText());
        return c < 0 || c == 0 && a.path("metadata").path("name").asText()
                .compareTo(b.path("metadata").path("name").asText()) < 0;
    }

    private boolean servedBy(String storageName, String crdName) {
        List<ResourceType> types = registry.byStorage(storageName);
        if (types.isEmpty() || types.stream().anyMatch(t -> !t.isCustom())) {
            return false;
        }
        CustomResources.ServedVersion v = catalog.find(types.getFirst());
        return v != null && v.crdName().equals(crdName);
    }

    // ---- serving ---------------------------------------------------------------------------

    private void serve(ObjectNode crd) {
        String storageName = storageOf(crd);
        if (storageName == null) {
            return;
        }
        boolean terminating = crd.path("metadata").hasNonNull("deletionTimestamp");
        List<CustomResources.ServedVersion> versions = servedVersions(crd, terminating);
        List<ResourceType> types = versions.stream().map(CustomResources.ServedVersion::type).toList();
        JsonNode served = crd.path("spec").deepCopy();
        ((ObjectNode) served).put("terminating", terminating);
        if (served.equals(servedSpecs.get(storageName)) && types.equals(registry.byStorage(storageName))) {
            return;
        }
        servedSpecs.put(storageName, served);
        catalog.replace(storageName, versions);
        registry.replaceCustom(storageName, types);
    }

    private void unserve(String storageName) {
        List<ResourceType> served = registry.byStorage(storageName);
        if (served.isEmpty() || served.stream().anyMatch(t -> !t.isCustom())) {
            return; // never a built-in resource
        }
        servedSpecs.remove(storageName);
        catalog.replace(storageName, List.of());
        registry.replaceCustom(storageName, List.of());
        storage.cache().resource(storageName).closeWatchers();
        publish();
    }

    private void publish() {
        openApi.accept(catalog.servedKinds());
    }

    static String storageOf(JsonNode crd) {
        String group = crd.path("spec").path("group").asText("");
        String plural = crd.path("spec").path("names").path("plural").asText("");
        return group.isEmpty() || plural.isEmpty() ? null : group + "/" + plural;
    }

    /** The served versions of a CRD as resource types; the storage version comes first, as the registry expects. */
    static List<CustomResources.ServedVersion> servedVersions(JsonNode crd, boolean terminating) {
        JsonNode spec = crd.path("spec");
        JsonNode names = spec.path("names");
        String group = spec.path("group").asText();
        String plural = names.path("plural").asText();
        String kind = names.path("kind").asText();
        String singular = names.path("singular").asText(kind.toLowerCase(java.util.Locale.ROOT));
        boolean namespaced = !"Cluster".equals(spec.path("scope").asText("Namespaced"));
        List<String> shortNames = strings(names.path("shortNames"));
        List<String> categories = strings(names.path("categories"));
        List<CustomResources.ServedVersion> out = new ArrayList<>();
        for (JsonNode v : spec.path("versions")) {
            if (!v.path("served").asBoolean(false)) {
                continue;
            }
            Set<String> subresources = new LinkedHashSet<>();
            if (v.path("subresources").has("status")) subresources.add("status");
            if (v.path("subresources").has("scale")) subresources.add("scale");
            ResourceType t = new ResourceType(group, v.path("name").asText(), plural, singular, kind, namespaced,
                    shortNames, categories, null, Set.copyOf(subresources), group + "/" + plural,
                    ResourceType.ALL_VERBS);
            JsonNode schema = CustomResources.orNull(v.path("schema").path("openAPIV3Schema"));
            CustomResources.ServedVersion sv = new CustomResources.ServedVersion(crd.path("metadata").path("name").asText(),
                    t, schema == null ? null : new StructuralSchema(schema), CustomResources.applySchemaOf(schema),
                    CustomResources.orNull(v.path("additionalPrinterColumns")),
                    CustomResources.orNull(v.path("subresources").path("scale")), terminating);
            if (v.path("storage").asBoolean(false)) {
                out.addFirst(sv);
            } else {
                out.add(sv);
            }
        }
        return out;
    }

    private static List<String> strings(JsonNode a) {
        List<String> l = new ArrayList<>();
        a.forEach(s -> l.add(s.asText()));
        return List.copyOf(l);
    }

    // ---- status ----------------------------------------------------------------------------

    /** Writes NamesAccepted, Established (or Terminating), acceptedNames and storedVersions; false on conflict. */
    private boolean writeStatus(CachedObject current, ObjectNode crd, boolean terminating, Rejection conflict) {
        ObjectNode status = crd.has("status") && crd.get("status").isObject()
                ? ((ObjectNode) crd.get("status")).deepCopy() : Json.MAPPER.createObjectNode();
        ObjectNode before = status.deepCopy();
        ObjectNode names = ((ObjectNode) crd.path("spec").path("names")).deepCopy();
        if (!names.has("singular")) names.put("singular", names.path("kind").asText().toLowerCase(java.util.Locale.ROOT));
        if (!names.has("listKind")) names.put("listKind", names.path("kind").asText() + "List");
        if (conflict == null) {
            status.set("acceptedNames", names);
        } else if (!status.has("acceptedNames")) {
            status.putObject("acceptedNames").put("plural", "").put("kind", "");
        }
        ArrayNode stored = status.has("storedVersions") && status.get("storedVersions").isArray()
                ? (ArrayNode) status.get("storedVersions") : status.putArray("storedVersions");
        for (JsonNode v : crd.path("spec").path("versions")) {
            String version = v.path("name").asText();
            if (conflict == null && v.path("storage").asBoolean(false) && !strings(stored).contains(version)) {
                stored.add(version);
            }
        }
        ArrayNode conditions = status.has("conditions") && status.get("conditions").isArray()
                ? (ArrayNode) status.get("conditions") : status.putArray("conditions");
        String now = ResourceStorage.timestamp(storage.clock().instant());
        if (conflict == null) {
            condition(conditions, "NamesAccepted", "True", "NoConflicts", "no conflicts found", now);
            condition(conditions, "Established", "True", "InitialNamesAccepted", "the initial names have been accepted",
                    now);
        } else {
            condition(conditions, "NamesAccepted", "False", conflict.reason(), conflict.message(), now);
            condition(conditions, "Established", "False", "NotAccepted", "not all names are accepted", now);
        }
        if (terminating) {
            condition(conditions, "Terminating", "True", "InstanceDeletionInProgress",
                    "CustomResource deletion is in progress", now);
        }
        if (status.equals(before)) {
            return true;
        }
        crd.set("status", status);
        ((ObjectNode) crd.get("metadata")).put("resourceVersion", Long.toString(current.modRevision()));
        try {
            storage.update(crdType, "", current.name(), crd, options(), "status");
            return true;
        } catch (ApiException e) {
            if (e.code() == 409 || e.code() == 404) {
                return false;
            }
            throw e;
        }
    }

    private static void condition(ArrayNode conditions, String type, String status, String reason, String message,
                                  String now) {
        for (JsonNode c : conditions) {
            if (type.equals(c.path("type").asText())) {
                ObjectNode o = (ObjectNode) c;
                if (!status.equals(o.path("status").asText())) {
                    o.put("lastTransitionTime", now);
                }
                o.put("status", status);
                o.put("reason", reason);
                o.put("message", message);
                return;
            }
        }
        ObjectNode c = conditions.addObject();
        c.put("type", type);
        c.put("status", status);
        c.put("lastTransitionTime", now);
        c.put("reason", reason);
        c.put("message", message);
    }

    private static ResourceStorage.WriteOptions options() {
        return new ResourceStorage.WriteOptions(false, TypedCodec.FieldValidation.IGNORE, "berth-apiserver", SYSTEM,
                new ArrayList<>());
    }

    // ---- deletion --------------------------------------------------------------------------

    /** Deletes every custom resource of a terminating CRD, then releases its finalizer; true while some remain. */
    private boolean cleanUp(CachedObject current, ObjectNode crd) {
        JsonNode finalizers = crd.path("metadata").path("finalizers");
        if (!strings(finalizers).contains(CLEANUP_FINALIZER)) {
            return false;
        }
        if (!writeStatus(current, crd.deepCopy(), true, null)) {
            return true;
        }
        String storageName = storageOf(crd);
        List<ResourceType> types = storageName == null ? List.of() : registry.byStorage(storageName);
        if (!types.isEmpty()) {
            ResourceType stored = types.getFirst();
            storage.fresh();
            List<CachedObject> remaining = List.copyOf(storage.cache().resource(storageName).list(stored.keyPrefix()));
            for (CachedObject o : remaining) {
                try {
                    storage.delete(stored, o.namespace(), o.name(), ResourceStorage.DeleteOptions.DEFAULT, SYSTEM);
                } catch (ApiException e) {
                    if (e.code() != 404 && e.code() != 409) {
                        throw e;
                    }
                }
            }
            storage.fresh();
            if (!storage.cache().resource(storageName).list(stored.keyPrefix()).isEmpty()) {
                return true; // objects with finalizers of their own: wait for them
            }
        }
        if (releaseFinalizer(current)) {
            return true;
        }
        if (storageName != null && storage.find(crdType, "", current.name()) == null) {
            unserve(storageName);
        }
        return false;
    }

    /** Removes the cleanup finalizer (the store then deletes the CRD); true on a conflict. */
    private boolean releaseFinalizer(CachedObject current) {
        CachedObject latest = storage.find(crdType, "", current.name());
        if (latest == null) {
            return false;
        }
        ObjectNode tree = latest.tree();
        ArrayNode kept = Json.MAPPER.createArrayNode();
        for (JsonNode f : tree.path("metadata").path("finalizers")) {
            if (!CLEANUP_FINALIZER.equals(f.asText())) kept.add(f);
        }
        ((ObjectNode) tree.get("metadata")).set("finalizers", kept);
        ((ObjectNode) tree.get("metadata")).put("resourceVersion", Long.toString(latest.modRevision()));
        try {
            storage.update(crdType, "", current.name(), tree, options(), "");
        } catch (ApiException e) {
            if (e.code() == 409) return true;
            if (e.code() != 404) throw e;
        }
        return false;
    }

    @Override
    public void close() {
        closed = true;
        if (watcher != null) watcher.close();
        if (events != null) events.interrupt();
        if (worker != null) worker.interrupt();
    }
}
