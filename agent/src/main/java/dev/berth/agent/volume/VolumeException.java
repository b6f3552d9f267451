package dev.berth.agent.volume;

/** A pod volume cannot be set up yet; the message names the volume and why (Kubernetes' FailedMount). */
public final class VolumeException extends RuntimeException {
    public VolumeException(String message) {
        super(message);
    }

    public VolumeException(String message, Throwable cause) {
        super(message, cause);
    }
}
