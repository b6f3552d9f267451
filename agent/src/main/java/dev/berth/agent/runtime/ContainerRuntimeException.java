package dev.berth.agent.runtime;

/** A runtime operation failed; {@link #reason()} is Kubernetes' waiting reason where one applies. */
public class ContainerRuntimeException extends java.lang.RuntimeException {
    private final String reason;

    public ContainerRuntimeException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ContainerRuntimeException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** E.g. {@code ErrImagePull}, {@code ImagePullBackOff}'s cause, {@code CreateContainerError}, {@code RunContainerError}. */
    public String reason() {
        return reason;
    }
}
