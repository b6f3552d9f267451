package dev.berth.app.events;

import java.time.Instant;

/**
 * Something that needs a person: a crash-looping container, a node that is not ready, a pod that
 * cannot be scheduled. Raised once per object and reason, until the condition clears.
 */
public record Notification(Instant time, String reason, String kind, String namespace, String name, String message) {
    public static final String CRASH_LOOP = "CrashLoopBackOff";
    public static final String NODE_NOT_READY = "NodeNotReady";
    public static final String FAILED_SCHEDULING = "FailedScheduling";

    public Notification {
        namespace = namespace == null ? "" : namespace;
    }

    public String key() {
        return kind + "/" + namespace + "/" + name + "/" + reason;
    }

    public String title() {
        return switch (reason) {
            case CRASH_LOOP -> "Pod " + namespace + "/" + name + " is crash-looping";
            case NODE_NOT_READY -> "Node " + name + " is not ready";
            case FAILED_SCHEDULING -> "Pod " + namespace + "/" + name + " cannot be scheduled";
            default -> reason + ": " + kind + " " + name;
        };
    }
}
