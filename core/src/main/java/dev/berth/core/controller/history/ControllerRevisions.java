package dev.berth.core.controller.history;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.berth.core.api.Json;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The revision history of a DaemonSet or StatefulSet, kept as apps/v1 ControllerRevisions owned by
 * the set, as Kubernetes' {@code pkg/controller/history} does: each revision holds the pod template
 * as a strategic merge patch ({@code {"spec":{"template":{...,"$patch":"replace"}}}}), is named
 * {@code SET-HASH}, and carries an increasing {@code revision} number. Rolling back to a template
 * seen before reuses its revision and renumbers it as the newest.
 */
public final class ControllerRevisions {
    /** The label on a revision holding its hash (Kubernetes' {@code ControllerRevisionHashLabel}). */
    public static final String HASH_LABEL = "controller.kubernetes.io/hash";

    private static final ObjectMapper CANONICAL = Json.MAPPER.copy()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    private static final String ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

    private ControllerRevisions() {
    }

    /** The revision data for a pod template: a patch replacing {@code spec.template}. */
    public static Map<String, Object> templatePatch(PodTemplateSpec template) {
        Map<String, Object> t = new LinkedHashMap<>(Json.MAPPER.convertValue(template, new TypeReference<Map<String, Object>>() { }));
        t.put("$patch", "replace");
        return Map.of("spec", Map.of("template", t));
    }

    /** The pod template a revision records. */
    public static PodTemplateSpec template(ControllerRevision revision) {
        PodTemplateSpec t = templateOf(revision.getData());
        if (t == null) {
            throw new IllegalArgumentException("controllerrevision " + revision.getMetadata().getName()
                    + ": data.spec.template must be an object");
        }
        return t;
    }

    private static PodTemplateSpec templateOf(Object data) {
        JsonNode t = Json.MAPPER.valueToTree(data).path("spec").path("template");
        if (!t.isObject()) {
            return null;
        }
        com.fasterxml.jackson.databind.node.ObjectNode copy = ((com.fasterxml.jackson.databind.node.ObjectNode) t).deepCopy();
        copy.remove("$patch");
        return Json.MAPPER.convertValue(copy, PodTemplateSpec.class);
    }

    /** Data in a canonical form: keys sorted at every level. */
    static byte[] canonical(Object data) {
        try {
            Object plain = Json.MAPPER.convertValue(data, Object.class);
            return CANONICAL.writeValueAsString(plain).getBytes(StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new IllegalArgumentException("revision data cannot be serialised: " + e.getMessage(), e);
        }
    }

    /**
     * The hash naming a revision: FNV-1 over the data (and the collision count when set), printed in
     * decimal and encoded in Kubernetes' safe alphabet, as {@code HashControllerRevision} does.
     */
    public static String hash(Object data, Integer collisionCount) {
        int h = 0x811c9dc5;
        for (byte b : canonical(data)) {
            h *= 0x01000193;
            h ^= (b & 0xff);
        }
        if (collisionCount != null) {
            for (byte b : Integer.toString(collisionCount).getBytes(StandardCharsets.US_ASCII)) {
                h *= 0x01000193;
                h ^= (b & 0xff);
            }
        }
        String decimal = Long.toString(Integer.toUnsignedLong(h));
        StringBuilder out = new StringBuilder(decimal.length());
        for (char c : decimal.toCharArray()) {
            out.append(ALPHANUMS.charAt(c % ALPHANUMS.length()));
        }
        return out.toString();
    }

    /**
     * True when a revision records the same template as {@code data}. Compared as typed templates, so
     * that how the API server wrote the JSON back (absent versus empty fields) does not matter.
     */
    public static boolean equalData(ControllerRevision revision, Object data) {
        if (Json.MAPPER.valueToTree(revision.getData()).equals(Json.MAPPER.valueToTree(data))) {
            return true;
        }
        PodTemplateSpec stored = templateOf(revision.getData());
        return stored != null && stored.equals(templateOf(data));
    }

    /** The revisions whose controller is {@code owner}, oldest first. */
    public static List<ControllerRevision> ownedBy(List<ControllerRevision> inNamespace, HasMetadata owner) {
        String uid = owner.getMetadata().getUid();
        return inNamespace.stream()
                .filter(r -> r.getMetadata().getOwnerReferences() != null && r.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> Boolean.TRUE.equals(o.getController()) && uid.equals(o.getUid())))
                .sorted(Comparator.comparing((ControllerRevision r) -> r.getRevision() == null ? 0L : r.getRevision())
                        .thenComparing(r -> r.getMetadata().getName()))
                .toList();
    }

    /** The newest revision number in a history, or 0. */
    public static long maxRevision(List<ControllerRevision> history) {
        return history.stream().mapToLong(r -> r.getRevision() == null ? 0L : r.getRevision()).max().orElse(0L);
    }

    /** The revision for the current template and the collision count it took to name it. */
    public record Current(ControllerRevision revision, String hash, Integer collisionCount) {
    }

    /**
     * Finds the revision recording {@code data} in {@code history}, renumbering it as the newest if an
     * older one is taken up again, or creates it. A name taken by a revision with other data (a hash
     * collision) raises the collision count, which the caller keeps in its status.
     */
    public static Current ensure(KubernetesClient client, HasMetadata owner, Map<String, String> labels, String hashLabel,
                                 Object data, List<ControllerRevision> history, Integer collisionCount) {
        long max = maxRevision(history);
        ControllerRevision equal = null;
        for (ControllerRevision r : history) {
            if (equalData(r, data)) {
                equal = r;
            }
        }
        String ns = owner.getMetadata().getNamespace();
        if (equal != null) {
            ControllerRevision found = equal;
            long rev = found.getRevision() == null ? 0L : found.getRevision();
            if (rev < max) {
                found = client.apps().controllerRevisions().inNamespace(ns).resource(new ControllerRevisionBuilder(found)
                        .withRevision(max + 1).build()).update();
            }
            String h = found.getMetadata().getLabels() != null ? found.getMetadata().getLabels().get(hashLabel) : null;
            return new Current(found, h != null ? h : suffix(owner, found), collisionCount);
        }
        Integer count = collisionCount;
        for (int attempt = 0; attempt < 10; attempt++) {
            String h = hash(data, count);
            String name = owner.getMetadata().getName() + "-" + h;
            Map<String, String> l = new HashMap<>(labels == null ? Map.of() : labels);
            l.put(hashLabel, h);
            ControllerRevision revision = new ControllerRevisionBuilder()
                    .withNewMetadata().withName(name).withNamespace(ns).withLabels(l)
                    .withOwnerReferences(controllerRef(owner)).endMetadata()
                    .withData(data)
                    .withRevision(max + 1)
                    .build();
            try {
                return new Current(client.apps().controllerRevisions().inNamespace(ns).resource(revision).create(), h, count);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                ControllerRevision existing = client.apps().controllerRevisions().inNamespace(ns).withName(name).get();
                if (existing != null && equalData(existing, data) && isOwnedBy(existing, owner)) {
                    if (existing.getRevision() == null || existing.getRevision() <= max) {
                        existing = client.apps().controllerRevisions().inNamespace(ns).resource(
                                new ControllerRevisionBuilder(existing).withRevision(max + 1).build()).update();
                    }
                    return new Current(existing, h, count);
                }
                count = count == null ? 1 : count + 1;
            }
        }
        throw new IllegalStateException("no free name for a revision of " + owner.getKind() + " " + ns + "/"
                + owner.getMetadata().getName() + " after 10 hash collisions");
    }

    private static String suffix(HasMetadata owner, ControllerRevision r) {
        String prefix = owner.getMetadata().getName() + "-";
        String n = r.getMetadata().getName();
        return n.startsWith(prefix) ? n.substring(prefix.length()) : n;
    }

    private static boolean isOwnedBy(ControllerRevision r, HasMetadata owner) {
        return r.getMetadata().getOwnerReferences() != null && r.getMetadata().getOwnerReferences().stream()
                .anyMatch(o -> owner.getMetadata().getUid().equals(o.getUid()));
    }

    /**
     * Deletes the oldest revisions beyond {@code limit}, never one in {@code live} (names of revisions
     * still current, updating, or worn by pods).
     */
    public static void truncate(KubernetesClient client, List<ControllerRevision> history, Set<String> live, int limit) {
        List<ControllerRevision> dead = history.stream().filter(r -> !live.contains(r.getMetadata().getName())).toList();
        int excess = dead.size() - Math.max(0, limit);
        for (int i = 0; i < excess; i++) {
            ControllerRevision r = dead.get(i);
            client.apps().controllerRevisions().inNamespace(r.getMetadata().getNamespace())
                    .withName(r.getMetadata().getName()).delete();
        }
    }

    /** An ownerReference naming {@code owner} as controller, blocking its foreground deletion. */
    public static OwnerReference controllerRef(HasMetadata owner) {
        return new OwnerReferenceBuilder()
                .withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true)
                .build();
    }
}
