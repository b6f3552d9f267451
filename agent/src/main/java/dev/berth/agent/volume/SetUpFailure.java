package dev.berth.agent.volume;

/** Why one volume cannot be set up, in kubelet's words; the caller adds the volume's name. */
final class SetUpFailure extends Exception {
    SetUpFailure(String message) {
        super(message);
    }

    SetUpFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
