package dev.berth.core.controller.runtime;

import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Clock;
import java.util.Objects;

/**
 * What every controller of a process shares: the API client (the full request chain, never the
 * store), the shared informers, the clock all time comes from, and the event recorder.
 */
public record ControllerContext(KubernetesClient client, Informers informers, Clock clock, EventRecorder events) {
    public ControllerContext {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(informers, "informers");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(events, "events");
    }

    /** A context with fresh shared informers and an event recorder writing through {@code client} as {@code component}. */
    public static ControllerContext create(KubernetesClient client, Clock clock, String component) {
        return new ControllerContext(client, new Informers(client), clock, new ApiEventRecorder(client, clock, component));
    }
}
