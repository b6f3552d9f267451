package dev.berth.core.pki;

/**
 * A certificate signing request or a client certificate that the cluster CA refuses.
 * The message says which rule was broken; authentication and the CertificateSigningRequest API
 * show it to the person as is.
 */
public class CertificateRejectedException extends PkiException {
    public CertificateRejectedException(String message) { super(message); }
    public CertificateRejectedException(String message, Throwable cause) { super(message, cause); }
}
