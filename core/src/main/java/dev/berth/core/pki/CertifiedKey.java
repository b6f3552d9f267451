package dev.berth.core.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;

/** A certificate and its private key, as issued by {@link ClusterCa} or read from a file pair. */
public record CertifiedKey(X509Certificate certificate, PrivateKey privateKey) {
    public CertifiedKey {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
    }

    /** The certificate as PEM ({@code CERTIFICATE}). */
    public String certificatePem() { return Pem.encode(certificate); }

    /** The private key as unencrypted PEM, see {@link Pem#encode(PrivateKey)}. */
    public String privateKeyPem() { return Pem.encode(privateKey); }

    /** Omits the key so that logging this value cannot leak it. */
    @Override
    public String toString() {
        return "CertifiedKey[" + certificate.getSubjectX500Principal().getName() + "]";
    }
}
