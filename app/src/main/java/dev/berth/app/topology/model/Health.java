package dev.berth.app.topology.model;

/** How an element is doing, as its skin colours it. */
public enum Health {
    /** Running and ready, or a finished Job, or a config object. */
    OK,
    /** Starting, rolling out, pending: not there yet, nothing wrong. */
    PROGRESSING,
    /** Works but needs a look: restarts, a failing readiness probe, some endpoints not ready. */
    WARNING,
    /** Failed, crash looping, on a NotReady node, or a NotReady node itself. */
    FAILED,
    /** Nothing known yet (no status). */
    UNKNOWN
}
