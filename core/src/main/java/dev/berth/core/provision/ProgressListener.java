package dev.berth.core.provision;

/** Receives every step's progress; the CLI prints it, the app draws it. Called on the worker's thread. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = p -> {};

    void progress(Progress progress);

    default void report(String step, double fraction, String message) {
        progress(new Progress(step, fraction, message));
    }
}
