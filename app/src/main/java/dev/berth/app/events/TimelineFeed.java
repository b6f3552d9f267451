package dev.berth.app.events;

import dev.berth.app.cluster.ResourceCache;
import dev.berth.app.events.TimelineEntry.Category;
import dev.berth.app.events.TimelineEntry.Severity;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Turns watch changes of Events, ReplicaSets, Deployments, Pods and Nodes into timeline entries
 * and notifications. It remembers only what it needs to see a change (a ReplicaSet's replicas, a
 * Deployment's revision, a pod's readiness, a node's readiness, how often an event was counted)
 * and which notifications are open, so a repeat of the same trouble is not announced again until
 * it has cleared. Not thread-safe: one caller (the FX thread) feeds it.
 */
public final class TimelineFeed {
    /** What one change produced. */
    public record Result(List<TimelineEntry> entries, List<Notification> notifications) {
        static final Result NONE = new Result(List.of(), List.of());
    }

    private final Map<String, Long> eventCounts = new HashMap<>();
    private final Map<String, Integer> replicas = new HashMap<>();
    private final Map<String, String> revisions = new HashMap<>();
    private final Map<String, Boolean> podReady = new HashMap<>();
    private final Map<String, Boolean> nodeReady = new HashMap<>();
    private final Set<String> open = new HashSet<>();

    /** Feeds one change of an object of {@code kind}; {@code now} stamps what carries no time of its own. */
    public Result accept(String kind, ResourceCache.Type type, GenericKubernetesResource o, Instant now) {
        return switch (kind) {
            case "Event" -> event(type, o, now);
            case "ReplicaSet" -> replicaSet(type, o, now);
            case "Deployment" -> deployment(type, o, now);
            case "Pod" -> pod(type, o, now);
            case "Node" -> node(type, o, now);
            default -> Result.NONE;
        };
    }

    /** The notifications raised and not cleared yet, by key. */
    public Set<String> openNotifications() {
        return Set.copyOf(open);
    }

    private Result event(ResourceCache.Type type, GenericKubernetesResource e, Instant now) {
        String uid = e.getMetadata().getUid();
        if (type == ResourceCache.Type.DELETED) {
            eventCounts.remove(uid);
            return Result.NONE;
        }
        long count = number(e.get("count"), 1);
        Number series = e.get("series", "count");
        if (series != null) {
            count = Math.max(count, series.longValue());
        }
        Long seen = eventCounts.put(uid, count);
        if (seen != null && seen >= count) {
            return Result.NONE;
        }
        String kind = string(e.get("involvedObject", "kind"));
        String ns = string(e.get("involvedObject", "namespace"));
        String name = string(e.get("involvedObject", "name"));
        String reason = string(e.get("reason"));
        String message = string(e.get("message"));
        Instant time = firstTime(now, e.get("lastTimestamp"), e.get("series", "lastObservedTime"), e.get("eventTime"),
                e.get("firstTimestamp"), e.getMetadata().getCreationTimestamp());
        Severity severity = Severity.of(string(e.get("type")));
        List<TimelineEntry> entries = List.of(new TimelineEntry(time, severity, Category.EVENT, kind, ns, name, reason,
                count > 1 ? message + " (×" + count + ")" : message));
        List<Notification> notes = new ArrayList<>();
        if ("Pod".equals(kind) && Notification.FAILED_SCHEDULING.equals(reason)) {
            raise(notes, new Notification(time, Notification.FAILED_SCHEDULING, "Pod", ns, name, message));
        }
        if ("Pod".equals(kind) && "BackOff".equals(reason) && message.startsWith("Back-off restarting failed container")) {
            raise(notes, new Notification(time, Notification.CRASH_LOOP, "Pod", ns, name, message));
        }
        return new Result(entries, notes);
    }

    private Result replicaSet(ResourceCache.Type type, GenericKubernetesResource rs, Instant now) {
        String key = key(rs);
        if (type == ResourceCache.Type.DELETED) {
            replicas.remove(key);
            return Result.NONE;
        }
        int want = (int) number(rs.get("spec", "replicas"), 1);
        Integer before = replicas.put(key, want);
        if (before == null) {
            // first sight: the Deployment's new revision (or the initial list) tells of it
            return Result.NONE;
        }
        if (before == want) {
            return Result.NONE;
        }
        String owner = controllerName(rs);
        String message = (want > before ? "Scaled up" : "Scaled down") + " replica set " + rs.getMetadata().getName()
                + " from " + before + " to " + want + (owner == null ? "" : " (Deployment " + owner + ")");
        return entry(new TimelineEntry(now, Severity.NORMAL, Category.ROLLOUT, "ReplicaSet", rs.getMetadata().getNamespace(),
                rs.getMetadata().getName(), "ScalingReplicaSet", message));
    }

    private Result deployment(ResourceCache.Type type, GenericKubernetesResource d, Instant now) {
        String key = key(d);
        if (type == ResourceCache.Type.DELETED) {
            revisions.remove(key);
            return Result.NONE;
        }
        Map<String, String> annotations = d.getMetadata().getAnnotations();
        String revision = annotations == null ? null : annotations.get("deployment.kubernetes.io/revision");
        if (revision == null) {
            return Result.NONE;
        }
        boolean seen = revisions.containsKey(key);
        String before = revisions.put(key, revision);
        if (!seen || revision.equals(before)) {
            return Result.NONE;
        }
        return entry(new TimelineEntry(now, Severity.NORMAL, Category.ROLLOUT, "Deployment", d.getMetadata().getNamespace(),
                d.getMetadata().getName(), "NewRevision", "Rolling out revision " + revision
                + (before == null ? "" : " (was " + before + ")")));
    }

    private Result pod(ResourceCache.Type type, GenericKubernetesResource p, Instant now) {
        String key = key(p);
        String ns = p.getMetadata().getNamespace();
        String name = p.getMetadata().getName();
        if (type == ResourceCache.Type.DELETED) {
            podReady.remove(key);
            clear("Pod", ns, name, Notification.CRASH_LOOP);
            clear("Pod", ns, name, Notification.FAILED_SCHEDULING);
            return Result.NONE;
        }
        List<TimelineEntry> entries = new ArrayList<>();
        List<Notification> notes = new ArrayList<>();
        Map<String, Object> ready = condition(p, "Ready");
        if (ready != null) {
            boolean isReady = "True".equals(ready.get("status"));
            Boolean was = podReady.put(key, isReady);
            if (was != null && was != isReady) {
                Instant at = firstTime(now, ready.get("lastTransitionTime"));
                String why = string(ready.get("reason")) + (string(ready.get("message")).isEmpty() ? "" : ": " + ready.get("message"));
                entries.add(new TimelineEntry(at, isReady ? Severity.NORMAL : Severity.WARNING, Category.PROBE, "Pod", ns, name,
                        isReady ? "Ready" : "NotReady", isReady ? "Pod became ready" : "Pod is not ready" + (why.isBlank() ? "" : " (" + why + ")")));
            }
        }
        String crashing = crashLoopingContainer(p);
        if (crashing != null) {
            raise(notes, new Notification(now, Notification.CRASH_LOOP, "Pod", ns, name,
                    "Container " + crashing + " keeps crashing: back-off restarting it"));
        } else {
            clear("Pod", ns, name, Notification.CRASH_LOOP);
        }
        Map<String, Object> scheduled = condition(p, "PodScheduled");
        if (scheduled != null && "False".equals(scheduled.get("status")) && "Unschedulable".equals(scheduled.get("reason"))) {
            raise(notes, new Notification(firstTime(now, scheduled.get("lastTransitionTime")), Notification.FAILED_SCHEDULING,
                    "Pod", ns, name, string(scheduled.get("message"))));
        } else if (!string(p.get("spec", "nodeName")).isEmpty()) {
            clear("Pod", ns, name, Notification.FAILED_SCHEDULING);
        }
        return new Result(entries, notes);
    }

    private Result node(ResourceCache.Type type, GenericKubernetesResource n, Instant now) {
        String name = n.getMetadata().getName();
        if (type == ResourceCache.Type.DELETED) {
            nodeReady.remove(name);
            clear("Node", "", name, Notification.NODE_NOT_READY);
            return entry(new TimelineEntry(now, Severity.NORMAL, Category.NODE, "Node", "", name, "RemovingNode",
                    "Node " + name + " was removed"));
        }
        List<TimelineEntry> entries = new ArrayList<>();
        List<Notification> notes = new ArrayList<>();
        boolean known = nodeReady.containsKey(name);
        if (!known) {
            entries.add(new TimelineEntry(firstTime(now, n.getMetadata().getCreationTimestamp()), Severity.NORMAL, Category.NODE,
                    "Node", "", name, "RegisteredNode", "Node " + name + " joined the cluster"));
        }
        Map<String, Object> ready = condition(n, "Ready");
        boolean isReady = ready != null && "True".equals(ready.get("status"));
        Boolean was = nodeReady.put(name, isReady);
        Instant at = ready == null ? now : firstTime(now, ready.get("lastTransitionTime"));
        String why = ready == null ? "it has not reported its status yet" : string(ready.get("message"));
        if (was != null && was != isReady) {
            entries.add(new TimelineEntry(at, isReady ? Severity.NORMAL : Severity.WARNING, Category.NODE, "Node", "", name,
                    isReady ? "NodeReady" : "NodeNotReady", isReady ? "Node " + name + " is ready"
                    : "Node " + name + " is not ready" + (why.isEmpty() ? "" : ": " + why)));
        }
        // a node just registering has no Ready condition yet; only a node that says NotReady (or was ready) needs a person
        if (!isReady && (ready != null || Boolean.TRUE.equals(was))) {
            raise(notes, new Notification(at, Notification.NODE_NOT_READY, "Node", "", name,
                    "Node " + name + " is not ready" + (why.isEmpty() ? "" : ": " + why)));
        } else if (isReady) {
            clear("Node", "", name, Notification.NODE_NOT_READY);
        }
        return new Result(entries, notes);
    }

    private void raise(List<Notification> out, Notification n) {
        if (open.add(n.key())) {
            out.add(n);
        }
    }

    private void clear(String kind, String ns, String name, String reason) {
        open.remove(kind + "/" + (ns == null ? "" : ns) + "/" + name + "/" + reason);
    }

    private static Result entry(TimelineEntry e) {
        return new Result(List.of(e), List.of());
    }

    private static String crashLoopingContainer(GenericKubernetesResource p) {
        for (String field : List.of("initContainerStatuses", "containerStatuses")) {
            Object list = p.get("status", field);
            if (list instanceof List<?> statuses) {
                for (Object s : statuses) {
                    if (s instanceof Map<?, ?> m && m.get("state") instanceof Map<?, ?> state
                            && state.get("waiting") instanceof Map<?, ?> waiting
                            && Notification.CRASH_LOOP.equals(waiting.get("reason"))) {
                        return string(m.get("name"));
                    }
                }
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> condition(GenericKubernetesResource o, String type) {
        Object list = o.get("status", "conditions");
        if (list instanceof List<?> conditions) {
            for (Object c : conditions) {
                if (c instanceof Map<?, ?> m && type.equals(m.get("type"))) {
                    return (Map<String, Object>) m;
                }
            }
        }
        return null;
    }

    private static String controllerName(GenericKubernetesResource o) {
        var refs = o.getMetadata().getOwnerReferences();
        if (refs != null) {
            for (var r : refs) {
                if (Boolean.TRUE.equals(r.getController())) {
                    return r.getName();
                }
            }
        }
        return null;
    }

    private static String key(GenericKubernetesResource o) {
        String uid = o.getMetadata().getUid();
        return uid != null ? uid : o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }

    private static long number(Object v, long otherwise) {
        return v instanceof Number n ? n.longValue() : otherwise;
    }

    static String string(Object v) {
        return v == null ? "" : v.toString();
    }

    /** The first of {@code times} that parses as an RFC 3339 time, else {@code now}. */
    static Instant firstTime(Instant now, Object... times) {
        for (Object t : times) {
            if (t != null && !t.toString().isEmpty()) {
                try {
                    return Instant.parse(t.toString());
                } catch (DateTimeParseException e) {
                    try {
                        return java.time.OffsetDateTime.parse(t.toString()).toInstant();
                    } catch (DateTimeParseException ignored) {
                        // try the next one
                    }
                }
            }
        }
        return Objects.requireNonNull(now, "now");
    }
}
