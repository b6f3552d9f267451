package dev.berth.app.events;

import java.time.Instant;
import java.util.Locale;

/**
 * One thing that happened, on the timeline.
 *
 * @param time      when it happened (the event's last timestamp, a condition's transition time, or when the app saw it)
 * @param severity  Normal or Warning, as Kubernetes events
 * @param category  which lane of the timeline it is drawn in
 * @param kind      the kind of the object it is about
 * @param namespace its namespace, empty for cluster-scoped objects
 * @param name      its name
 * @param reason    a short CamelCase reason (Kubernetes' own where there is one)
 * @param message   what a person reads
 */
public record TimelineEntry(Instant time, Severity severity, Category category, String kind, String namespace, String name,
                            String reason, String message) {
    public enum Severity { NORMAL, WARNING;

        public static Severity of(String type) {
            return "Warning".equalsIgnoreCase(type) ? WARNING : NORMAL;
        }

        public String label() {
            return this == WARNING ? "Warning" : "Normal";
        }
    }

    /** The lanes of the timeline, top to bottom. */
    public enum Category { EVENT("Events"), ROLLOUT("Rollouts"), PROBE("Probes"), NODE("Nodes");

        private final String title;

        Category(String title) {
            this.title = title;
        }

        public String title() {
            return title;
        }
    }

    public TimelineEntry {
        namespace = namespace == null ? "" : namespace;
        message = message == null ? "" : message;
        reason = reason == null ? "" : reason;
    }

    /** kind namespace/name, or kind name for cluster-scoped objects. */
    public String object() {
        return kind + " " + (namespace.isEmpty() ? name : namespace + "/" + name);
    }

    /** Whether {@code text} (lower case) occurs in the object's kind, namespace or name, the reason or the message. */
    public boolean matches(String text) {
        if (text == null || text.isBlank()) {
            return true;
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        return object().toLowerCase(Locale.ROOT).contains(t) || reason.toLowerCase(Locale.ROOT).contains(t)
                || message.toLowerCase(Locale.ROOT).contains(t);
    }
}
