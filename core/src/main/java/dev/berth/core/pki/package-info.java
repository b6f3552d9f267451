/**
 * The cluster's PKI and secrets at rest.
 *
 * <p>Layout of the pki directory (mode 0700), every secret file mode 0600:
 * <pre>
 *   ca.crt ca.key              cluster CA ({@link dev.berth.core.pki.ClusterCa})
 *   apiserver.crt apiserver.key serving certificate ({@link dev.berth.core.pki.ServingCertificate})
 *   tokens.json                bearer token hashes ({@link dev.berth.core.pki.Tokens})
 *   encryption.key             AES-256 key for data at rest ({@link dev.berth.core.pki.AesGcmEncryptor})
 * </pre>
 * {@link dev.berth.core.pki.ServerPki} prepares all of it for {@code berth server --data-dir DIR}.
 */
package dev.berth.core.pki;
