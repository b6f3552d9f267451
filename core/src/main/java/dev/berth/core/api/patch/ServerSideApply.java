package dev.berth.core.api.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.api.FieldError;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Server-side apply ({@code application/apply-patch+yaml}) and the field ownership every write
 * records in {@code metadata.managedFields}, after Kubernetes' structured-merge-diff:
 * <ul>
 *   <li>{@link #apply} merges an applied configuration into the live object. The applier then
 *       owns exactly the fields it applied. Changing a field another manager owns is a conflict
 *       (409) unless {@code force}, which takes the field over; applying the value it already has
 *       is no conflict, and both own it. Fields the applier applied last time and omits now are
 *       removed unless another manager owns them.</li>
 *   <li>{@link #recordUpdate} is for every other write (create, update, patch): the fields the
 *       write changed move to its manager under an {@code Update} entry.</li>
 * </ul>
 * On the main resource {@code status} is neither applied nor tracked; on the {@code status}
 * subresource only {@code status} is. Identity fields (apiVersion, kind, metadata.name,
 * namespace, uid, resourceVersion, generation, creationTimestamp, selfLink, managedFields) are
 * never tracked, as Kubernetes strips them.
 */
public final class ServerSideApply {
    /** Owner of the fields of an object first applied to after being written without tracking. */
    public static final String BEFORE_FIRST_APPLY = "before-first-apply";
    public static final String STATUS = "status";
    /** Owner of the fields of Update entries folded together once there are too many. */
    public static final String ANCIENT_CHANGES = "ancient-changes";
    /** The manager kubectl uses for server-side apply; only it upgrades from client-side apply. */
    public static final String KUBECTL = "kubectl";
    public static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
    /** Kubernetes' DefaultMaxUpdateManagers. */
    public static final int MAX_UPDATE_MANAGERS = 10;

    private static final Set<String> UNTRACKED_METADATA = Set.of("name", "namespace", "uid", "resourceVersion",
            "generation", "creationTimestamp", "selfLink", "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds");

    private ServerSideApply() {
    }

    /** Apply to the main resource. */
    public static ObjectNode apply(ObjectNode live, ObjectNode applied, String manager, boolean force, ApplySchema schema,
                                   Instant now) {
        return apply(live, applied, manager, null, force, schema, now);
    }

    /**
     * Applies {@code applied} as {@code manager} to {@code live} (null when creating) and returns
     * the new object with its managedFields; the inputs are not changed. When nothing changes,
     * the result equals {@code live} and no entry's time moves.
     *
     * @param subresource null for the main resource, or {@code status}
     * @throws ApiException 409 Conflict naming every conflicting field and its manager, 400 when
     *                      the configuration is not an object with a manager
     */
    public static ObjectNode apply(ObjectNode live, ObjectNode applied, String manager, String subresource, boolean force,
                                   ApplySchema schema, Instant now) {
        if (manager == null || manager.isEmpty()) {
            throw ApiException.badRequest("PATCH requests with apply-patch+yaml require a fieldManager query parameter");
        }
        if (applied == null) {
            throw ApiException.badRequest("the applied configuration must be an object");
        }
        PatchSchema root = schema.root();
        ObjectNode base = live == null ? Json.MAPPER.createObjectNode() : live;
        String apiVersion = applied.path("apiVersion").asText(base.path("apiVersion").asText(null));
        JsonNode sentManagedFields = applied.path("metadata").path("managedFields");
        if (!sentManagedFields.isMissingNode() && !sentManagedFields.isNull()) {
            throw ApiException.badRequest("metadata.managedFields must be nil");
        }
        List<String> errors = FieldWalker.configErrors(tracked(applied, subresource), root);
        if (!errors.isEmpty()) {
            // Kubernetes answers these with a 500; they are the client's mistake, so a 422 with the same words
            String where = "(" + applied.path("metadata").path("namespace").asText("") + "/"
                    + applied.path("metadata").path("name").asText("") + "; "
                    + (apiVersion == null ? "" : apiVersion.contains("/") ? apiVersion : "/" + apiVersion)
                    + ", Kind=" + applied.path("kind").asText("") + ")";
            String detail = errors.size() == 1 ? errors.getFirst() : "errors:\n  " + String.join("\n  ", errors);
            throw new ApiException(422, "Invalid", "failed to create typed patch object " + where + ": " + detail);
        }

        List<ManagedFieldsEntry> managers = decode(base);
        if (live != null && managers.isEmpty()) {
            // The object was written before anyone tracked it: whoever wrote it owns all of it, so
            // an applier only takes fields over by conflict or force.
            managers = new ArrayList<>();
            FieldSet all = FieldWalker.toFieldSet(tracked(base, subresource), root);
            if (!all.isEmpty()) {
                managers.add(new ManagedFieldsEntry(BEFORE_FIRST_APPLY, ManagedFieldsEntry.UPDATE,
                        base.path("apiVersion").asText(apiVersion), now, subresource, all));
            }
        }

        ObjectNode config = tracked(applied, subresource);
        FieldSet appliedSet = FieldWalker.toFieldSet(config, root);
        ObjectNode liveView = tracked(base, subresource);
        ObjectNode merged = (ObjectNode) FieldWalker.merge(liveView, config, root);

        int self = indexOf(managers, manager, ManagedFieldsEntry.APPLY, apiVersion, subresource);
        ManagedFieldsEntry previous = self < 0 ? null : managers.get(self);
        ManagedFieldsEntry mine = new ManagedFieldsEntry(manager, ManagedFieldsEntry.APPLY, apiVersion,
                previous == null ? null : previous.time(), subresource, appliedSet);
        List<ManagedFieldsEntry> others = new ArrayList<>(managers);
        if (self >= 0) {
            others.remove(self);
        }

        if (previous != null) {
            // fields applied before and omitted now go, unless someone (the applier included) still owns them
            FieldSet keep = appliedSet.copy();
            others.forEach(o -> keep.addAll(o.fields()));
            FieldSet dropped = previous.fields().difference(keep);
            if (!dropped.isEmpty()) {
                FieldWalker.removeFields(merged, dropped, keep, root);
            }
        }

        FieldWalker.Comparison diff = FieldWalker.compare(liveView, merged, root);
        FieldSet changed = diff.addedOrModified();
        List<Conflict> conflicts = new ArrayList<>();
        List<ManagedFieldsEntry> updatedOthers = new ArrayList<>();
        for (ManagedFieldsEntry other : others) {
            FieldSet conflict = other.fields().intersection(changed);
            for (List<PathElement> path : conflict.paths()) {
                conflicts.add(new Conflict(other, path));
            }
            FieldSet remaining = other.fields().difference(conflict).difference(diff.removed());
            if (!remaining.isEmpty()) {
                updatedOthers.add(other.withFields(remaining));
            }
        }
        if (!force && !conflicts.isEmpty() && KUBECTL.equals(manager)) {
            // Upgrading from client-side apply: fields the last-applied annotation holds with
            // their live values were the user's already, so kubectl may take them over.
            FieldSet allowed = allowedByLastApplied(base, liveView, root);
            conflicts.removeIf(c -> allowed.contains(c.path()));
        }
        if (!force && !conflicts.isEmpty()) {
            throw conflictError(conflicts);
        }

        // a create takes identity (apiVersion, kind, name, namespace) from the configuration, never its status
        ObjectNode result = live == null ? withoutStatus(untrackedParts(applied, subresource)) : untrackedParts(base, subresource);
        merged.fields().forEachRemaining(e -> {
            if (e.getKey().equals("metadata") && result.get("metadata") instanceof ObjectNode meta && e.getValue().isObject()) {
                ObjectNode m = FieldWalker.shallowCopy(meta);
                m.setAll((ObjectNode) e.getValue());
                result.set("metadata", m);
            } else {
                result.set(e.getKey(), e.getValue());
            }
        });
        result.setAll(reorderLike(base, result));
        if (KUBECTL.equals(manager) && result.path("metadata").path("annotations").has(LAST_APPLIED)) {
            // keep client-side apply's record in step, so a later `kubectl apply` computes the right patch
            ((ObjectNode) result.get("metadata").get("annotations")).put(LAST_APPLIED, lastAppliedOf(applied));
        }
        boolean objectChanged = !Json.same(withoutManagedFields(base), withoutManagedFields(result));
        if (objectChanged) {
            mine = mine.withTime(now);
        }
        updatedOthers.add(mine);
        return withManagedFields(result, updatedOthers);
    }

    /** {@link #recordUpdate(ObjectNode, ObjectNode, String, String, String, ApplySchema, Instant)} on the main resource. */
    public static ObjectNode recordUpdate(ObjectNode before, ObjectNode after, String manager, String apiVersion,
                                          ApplySchema schema, Instant now) {
        return recordUpdate(before, after, manager, apiVersion, null, schema, now);
    }

    /**
     * Records a non-apply write of {@code after} over {@code before} (null on create) by
     * {@code manager}: fields the write added or changed move to the manager's {@code Update}
     * entry, fields it removed leave every entry. Returns {@code after} with the new managedFields.
     *
     * <p>As in Kubernetes: managedFields sent in {@code after} replace the recorded ones when they
     * differ (an explicit {@code []} clears them), otherwise the live ones are kept; an update of
     * an object that has no managedFields is not tracked (only creates start tracking).
     */
    public static ObjectNode recordUpdate(ObjectNode before, ObjectNode after, String manager, String apiVersion,
                                          String subresource, ApplySchema schema, Instant now) {
        if (manager == null || manager.isEmpty()) {
            throw ApiException.badRequest("a field manager is required to record an update");
        }
        PatchSchema root = schema.root();
        List<ManagedFieldsEntry> managers = decodeLiveOrNew(before, after);
        if (before != null && managers.isEmpty()) {
            return withManagedFields(after.deepCopy(), managers);
        }
        ObjectNode afterView = tracked(after, subresource);
        ObjectNode beforeView = before == null ? zeroValueLike(afterView) : tracked(before, subresource);
        FieldWalker.Comparison diff = FieldWalker.compare(beforeView, afterView, root);
        FieldSet changed = diff.addedOrModified();

        int self = indexOf(managers, manager, ManagedFieldsEntry.UPDATE, apiVersion, subresource);
        ManagedFieldsEntry previous = self < 0 ? null : managers.get(self);
        List<ManagedFieldsEntry> out = new ArrayList<>();
        for (int i = 0; i < managers.size(); i++) {
            if (i == self) {
                continue;
            }
            ManagedFieldsEntry other = managers.get(i);
            FieldSet remaining = other.fields().difference(changed).difference(diff.removed());
            if (!remaining.isEmpty()) {
                out.add(other.withFields(remaining));
            }
        }
        FieldSet owned = previous == null ? new FieldSet() : previous.fields().difference(diff.removed());
        Instant time = previous == null ? null : previous.time();
        if (!changed.isEmpty()) {
            owned = owned.union(changed);
            time = now;
        }
        if (!owned.isEmpty()) {
            out.add(new ManagedFieldsEntry(manager, ManagedFieldsEntry.UPDATE, apiVersion, time, subresource, owned));
        }
        return withManagedFields(after.deepCopy(), out);
    }

    /**
     * Structs that are values, not pointers, in the Go types: Kubernetes compares a create with the
     * kind's zero value, where they are already present, so the creator's entry lists their
     * fields but not the structs themselves ({@code f:spec} without {@code "."}).
     */
    private static final List<List<String>> VALUE_STRUCTS = List.of(
            List.of("metadata"), List.of("spec"), List.of("status"),
            List.of("spec", "template"), List.of("spec", "template", "metadata"), List.of("spec", "template", "spec"),
            List.of("spec", "strategy"), List.of("spec", "updateStrategy"),
            List.of("spec", "jobTemplate"), List.of("spec", "jobTemplate", "spec"),
            List.of("spec", "jobTemplate", "spec", "template"), List.of("spec", "jobTemplate", "spec", "template", "metadata"),
            List.of("spec", "jobTemplate", "spec", "template", "spec"));

    /** Lists without omitempty: the zero value holds null there, so their items are added but the list is not. */
    private static final List<List<String>> NULL_LISTS = List.of(
            List.of("spec", "containers"), List.of("spec", "template", "spec", "containers"),
            List.of("spec", "jobTemplate", "spec", "template", "spec", "containers"));

    private static ObjectNode zeroValueLike(ObjectNode after) {
        ObjectNode zero = Json.MAPPER.createObjectNode();
        for (List<String> path : VALUE_STRUCTS) {
            JsonNode a = after;
            ObjectNode z = zero;
            for (String step : path) {
                a = a.path(step);
                if (!a.isObject()) {
                    break;
                }
                z = z.get(step) instanceof ObjectNode existing ? existing : z.putObject(step);
            }
        }
        for (List<String> path : NULL_LISTS) {
            JsonNode z = zero;
            for (String step : path.subList(0, path.size() - 1)) {
                z = z.path(step);
            }
            JsonNode a = after;
            for (String step : path) {
                a = a.path(step);
            }
            if (z instanceof ObjectNode parent && !a.isMissingNode()) {
                parent.putNull(path.getLast());
            }
        }
        return zero;
    }

    /** The managedFields of an object; entries that do not parse are dropped, as the API server does. */
    public static List<ManagedFieldsEntry> managedFields(ObjectNode obj) {
        return decode(obj);
    }

    // ------------------------------------------------------------------ client-side apply interplay

    private static FieldSet allowedByLastApplied(ObjectNode live, ObjectNode liveView, PatchSchema root) {
        String text = live.path("metadata").path("annotations").path(LAST_APPLIED).asText("");
        if (text.isEmpty()) {
            return new FieldSet();
        }
        JsonNode lastApplied;
        try {
            lastApplied = Json.MAPPER.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return new FieldSet();
        }
        if (!(lastApplied instanceof ObjectNode lastObj)
                || !lastObj.path("apiVersion").asText("").equals(live.path("apiVersion").asText(""))) {
            return new FieldSet();
        }
        ObjectNode lastView = tracked(lastObj, null);
        FieldWalker.Comparison diff = FieldWalker.compare(lastView, liveView, root);
        return FieldWalker.toFieldSet(lastView, root).difference(diff.modified()).difference(diff.added())
                .difference(diff.removed());
    }

    /** The annotation value kubectl would write: the configuration without the annotation itself. */
    private static String lastAppliedOf(ObjectNode applied) {
        ObjectNode copy = applied.deepCopy();
        if (copy.path("metadata").path("annotations") instanceof ObjectNode annotations) {
            annotations.remove(LAST_APPLIED);
            if (annotations.isEmpty()) {
                ((ObjectNode) copy.get("metadata")).remove("annotations");
            }
        }
        return copy.toString();
    }

    // ------------------------------------------------------------------ conflicts

    private record Conflict(ManagedFieldsEntry manager, List<PathElement> path) {
    }

    private static ApiException conflictError(List<Conflict> conflicts) {
        conflicts.sort(Comparator.comparing((Conflict c) -> c.manager().describe())
                .thenComparing(c -> FieldSet.format(c.path())));
        List<FieldError> causes = new ArrayList<>();
        for (Conflict c : conflicts) {
            causes.add(new FieldError("FieldManagerConflict", FieldSet.format(c.path()),
                    "conflict with " + c.manager().describe(), null));
        }
        String message;
        if (conflicts.size() == 1) {
            Conflict c = conflicts.getFirst();
            message = "Apply failed with 1 conflict: conflict with " + c.manager().describe() + ": " + FieldSet.format(c.path());
        } else {
            Map<String, List<String>> byManager = new TreeMap<>();
            for (Conflict c : conflicts) {
                byManager.computeIfAbsent(c.manager().describe(), k -> new ArrayList<>()).add(FieldSet.format(c.path()));
            }
            List<String> lines = new ArrayList<>();
            byManager.forEach((m, paths) -> {
                lines.add("conflicts with " + m + ":");
                paths.forEach(p -> lines.add("- " + p));
            });
            message = "Apply failed with " + conflicts.size() + " conflicts: " + String.join("\n", lines);
        }
        return new ApiException(409, "Conflict", message, null, null, null, causes, null);
    }

    // ------------------------------------------------------------------ views and encoding

    /** The part of an object whose fields are tracked for this (sub)resource. */
    static ObjectNode tracked(ObjectNode obj, String subresource) {
        ObjectNode view = Json.MAPPER.createObjectNode();
        boolean statusOnly = STATUS.equals(subresource);
        obj.fields().forEachRemaining(e -> {
            String k = e.getKey();
            if (k.equals("apiVersion") || k.equals("kind") || statusOnly != k.equals(STATUS)) {
                return;
            }
            if (k.equals("metadata") && e.getValue() instanceof ObjectNode meta) {
                ObjectNode m = Json.MAPPER.createObjectNode();
                meta.fields().forEachRemaining(me -> {
                    if (!UNTRACKED_METADATA.contains(me.getKey())) {
                        m.set(me.getKey(), me.getValue());
                    }
                });
                if (!m.isEmpty()) {
                    view.set(k, m);
                }
                return;
            }
            view.set(k, e.getValue());
        });
        return view;
    }

    /** The live object without its tracked part: what apply must carry over untouched. */
    private static ObjectNode untrackedParts(ObjectNode live, String subresource) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        boolean statusOnly = STATUS.equals(subresource);
        live.fields().forEachRemaining(e -> {
            String k = e.getKey();
            if (k.equals("apiVersion") || k.equals("kind") || statusOnly != k.equals(STATUS)) {
                out.set(k, e.getValue().deepCopy());
            } else if (k.equals("metadata") && e.getValue() instanceof ObjectNode meta) {
                ObjectNode m = Json.MAPPER.createObjectNode();
                meta.fields().forEachRemaining(me -> {
                    if (UNTRACKED_METADATA.contains(me.getKey())) {
                        m.set(me.getKey(), me.getValue().deepCopy());
                    }
                });
                out.set(k, m);
            }
        });
        return out;
    }

    /** Keeps the live object's top-level key order, new keys after, so a no-op apply is byte-stable. */
    private static ObjectNode reorderLike(ObjectNode live, ObjectNode result) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        live.fieldNames().forEachRemaining(k -> {
            if (result.has(k)) {
                out.set(k, result.get(k));
            }
        });
        result.fields().forEachRemaining(e -> {
            if (!out.has(e.getKey())) {
                out.set(e.getKey(), e.getValue());
            }
        });
        if (out.get("metadata") instanceof ObjectNode meta && live.get("metadata") instanceof ObjectNode liveMeta) {
            out.set("metadata", reorderLike(liveMeta, meta));
        }
        result.removeAll();
        return out;
    }

    private static ObjectNode withoutStatus(ObjectNode obj) {
        obj.remove(STATUS);
        if (obj.get("metadata") instanceof ObjectNode meta) {
            meta.remove("managedFields");
        }
        return obj;
    }

    private static ObjectNode withoutManagedFields(ObjectNode obj) {
        ObjectNode copy = FieldWalker.shallowCopy(obj);
        if (copy.get("metadata") instanceof ObjectNode meta) {
            ObjectNode m = FieldWalker.shallowCopy(meta);
            m.remove("managedFields");
            copy.set("metadata", m);
        }
        return copy;
    }

    private static int indexOf(List<ManagedFieldsEntry> managers, String manager, String operation, String apiVersion,
                               String subresource) {
        for (int i = 0; i < managers.size(); i++) {
            if (managers.get(i).sameManager(manager, operation, apiVersion, subresource)) {
                return i;
            }
        }
        return -1;
    }

    private static List<ManagedFieldsEntry> decode(ObjectNode obj) {
        List<ManagedFieldsEntry> out = new ArrayList<>();
        if (obj == null) {
            return out;
        }
        JsonNode entries = obj.path("metadata").path("managedFields");
        if (!entries.isArray()) {
            return out;
        }
        try {
            for (JsonNode e : entries) {
                out.add(ManagedFieldsEntry.fromJson(e));
            }
        } catch (IllegalArgumentException e) {
            // Kubernetes resets managed fields it cannot decode rather than failing the write
            return new ArrayList<>();
        }
        return out;
    }

    private static List<ManagedFieldsEntry> decodeLiveOrNew(ObjectNode before, ObjectNode after) {
        JsonNode sent = after.path("metadata").path("managedFields");
        if (sent.isArray() && (sent.isEmpty() || (sent.size() == 1 && sent.get(0).isObject() && sent.get(0).isEmpty()))) {
            return new ArrayList<>(); // an explicit reset
        }
        List<ManagedFieldsEntry> fromAfter = decode(after);
        if (!fromAfter.isEmpty()) {
            return fromAfter;
        }
        return decode(before);
    }

    /**
     * Keeps at most {@link #MAX_UPDATE_MANAGERS} Update entries, as Kubernetes does: the oldest are
     * folded into an {@code ancient-changes} entry per apiVersion, so objects written by many
     * controllers do not grow without bound.
     */
    private static List<ManagedFieldsEntry> capUpdateManagers(List<ManagedFieldsEntry> entries) {
        List<ManagedFieldsEntry> out = new ArrayList<>(entries);
        while (out.stream().filter(e -> ManagedFieldsEntry.UPDATE.equals(e.operation())).count() > MAX_UPDATE_MANAGERS) {
            ManagedFieldsEntry oldest = out.stream()
                    .filter(e -> ManagedFieldsEntry.UPDATE.equals(e.operation()) && !ANCIENT_CHANGES.equals(e.manager()))
                    .min(Comparator.comparingLong((ManagedFieldsEntry e) -> e.time() == null ? 0 : e.time().getEpochSecond())
                            .thenComparing(ManagedFieldsEntry::manager))
                    .orElse(null);
            if (oldest == null) {
                break;
            }
            out.remove(oldest);
            int bucket = indexOf(out, ANCIENT_CHANGES, ManagedFieldsEntry.UPDATE, oldest.apiVersion(), null);
            if (bucket < 0) {
                out.add(new ManagedFieldsEntry(ANCIENT_CHANGES, ManagedFieldsEntry.UPDATE, oldest.apiVersion(), oldest.time(),
                        null, oldest.fields()));
            } else {
                ManagedFieldsEntry b = out.get(bucket);
                Instant latest = b.time() == null || (oldest.time() != null && oldest.time().isAfter(b.time()))
                        ? oldest.time() : b.time();
                out.set(bucket, b.withFields(b.fields().union(oldest.fields())).withTime(latest));
            }
        }
        return out;
    }

    /** Sets metadata.managedFields sorted as Kubernetes sorts them (operation, time, manager, apiVersion, subresource). */
    private static ObjectNode withManagedFields(ObjectNode obj, List<ManagedFieldsEntry> entries) {
        List<ManagedFieldsEntry> sorted = capUpdateManagers(entries);
        sorted.sort(Comparator.comparing(ManagedFieldsEntry::operation)
                .thenComparingLong(e -> e.time() == null ? 0 : e.time().getEpochSecond())
                .thenComparing(ManagedFieldsEntry::manager)
                .thenComparing(e -> e.apiVersion() == null ? "" : e.apiVersion())
                .thenComparing(e -> e.subresource() == null ? "" : e.subresource()));
        ObjectNode meta = obj.get("metadata") instanceof ObjectNode m ? m : obj.putObject("metadata");
        if (sorted.isEmpty()) {
            meta.remove("managedFields");
            if (meta.isEmpty()) {
                obj.remove("metadata");
            }
            return obj;
        }
        ArrayNode array = Json.MAPPER.createArrayNode();
        sorted.forEach(e -> array.add(e.toJson()));
        meta.set("managedFields", array);
        return obj;
    }
}
