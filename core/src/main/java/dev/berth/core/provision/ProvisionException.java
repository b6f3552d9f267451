package dev.berth.core.provision;

/** A step of provisioning could not be done; the message says what and what to do. */
public class ProvisionException extends RuntimeException {
    public ProvisionException(String message) {
        super(message);
    }

    public ProvisionException(String message, Throwable cause) {
        super(message, cause);
    }
}
