package dev.berth.core.pki;

/** A PKI file that cannot be read or written, or a cryptographic operation that failed. The message names the file or input. */
public class PkiException extends RuntimeException {
    public PkiException(String message) { super(message); }
    public PkiException(String message, Throwable cause) { super(message, cause); }
}
