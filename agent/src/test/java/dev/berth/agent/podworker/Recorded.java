package dev.berth.agent.podworker;

import dev.berth.core.controller.runtime.EventRecorder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodStatus;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A status sink and an event recorder that remember what they were given. */
final class Recorded implements PodStatusSink, EventRecorder {
    record Event(String uid, String type, String reason, String message) {
    }

    final Map<String, PodStatus> latest = new ConcurrentHashMap<>();
    final List<PodStatus> history = new CopyOnWriteArrayList<>();
    final List<Event> events = new CopyOnWriteArrayList<>();

    @Override
    public void update(String podUid, String namespace, String name, PodStatus status) {
        latest.put(podUid, status);
        history.add(status);
    }

    @Override
    public void event(HasMetadata regarding, String type, String reason, String message) {
        events.add(new Event(regarding.getMetadata().getUid(), type, reason, message));
    }

    PodStatus status(String uid) {
        return latest.get(uid);
    }

    List<String> messages(String reason) {
        return events.stream().filter(e -> e.reason().equals(reason)).map(Event::message).toList();
    }

    long count(String reason) {
        return events.stream().filter(e -> e.reason().equals(reason)).count();
    }
}
