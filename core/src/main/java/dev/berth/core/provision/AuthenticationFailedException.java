package dev.berth.core.provision;

/** The host refused every key offered; the message names them and how to install one. */
public final class AuthenticationFailedException extends ProvisionException {
    public AuthenticationFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
