package dev.berth.core.controller.runtime;

/**
 * A part of the control plane that runs in the background once started: a controller, the
 * scheduler. {@link dev.berth.core.controller.ControllerManager} starts and stops them together
 * (only while this replica holds the leader lease).
 */
public interface Component extends AutoCloseable {
    String name();

    /** Registers with the shared informers and starts working once they have synced. */
    void start();

    /** True once it works. */
    boolean isReady();

    /** Stops, waiting briefly for work in flight; idempotent. */
    @Override
    void close();
}
