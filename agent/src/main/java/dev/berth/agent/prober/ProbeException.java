package dev.berth.agent.prober;

/**
 * A probe that could not be run at all (a named port the container does not declare, a runtime
 * error): kubelet records "probe errored" and throws the result away, so it neither passes nor
 * fails the probe.
 */
final class ProbeException extends Exception {
    ProbeException(String message) {
        super(message);
    }

    ProbeException(String message, Throwable cause) {
        super(message, cause);
    }
}
