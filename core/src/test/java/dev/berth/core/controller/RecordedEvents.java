package dev.berth.core.controller;

import dev.berth.core.controller.runtime.EventRecorder;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An event recorder for tests: keeps "Type Reason: message" lines per object name. */
public final class RecordedEvents implements EventRecorder {
    public record Recorded(String kind, String name, String type, String reason, String message) {
        @Override
        public String toString() {
            return type + " " + reason + ": " + message;
        }
    }

    private final List<Recorded> events = new CopyOnWriteArrayList<>();

    @Override
    public void event(HasMetadata regarding, String type, String reason, String message) {
        events.add(new Recorded(regarding.getKind(), regarding.getMetadata().getName(), type, reason, message));
    }

    /** The events about objects of {@code name}, as "Type Reason: message". */
    public List<String> about(String name) {
        return events.stream().filter(e -> e.name().equals(name)).map(Recorded::toString).toList();
    }

    public List<String> reasons(String name) {
        return events.stream().filter(e -> e.name().equals(name)).map(Recorded::reason).toList();
    }
}
