package dev.berth.core.pki;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encryption of stored values at rest (Secrets), in the Kubernetes {@code aesgcm} envelope:
 * {@code k8s:enc:aesgcm:v1:berth:} + 12-byte random nonce + ciphertext + 16-byte GCM tag.
 * The associated data is the value's store key, so a ciphertext copied under another key fails to
 * decrypt instead of revealing one object's secret as another's.
 *
 * <p>The AES-256 key lives base64-encoded in {@code encryption.key} (mode 0600), created on first
 * use. Nonces are random: safe for far more writes than a lab cluster makes with one key
 * (the limit is about 2^32 encryptions). Thread-safe.
 */
public final class AesGcmEncryptor {
    public static final String KEY_FILE = "encryption.key";
    /** The key name in the prefix is {@code berth}, as a Kubernetes EncryptionConfiguration would name it. */
    public static final String PREFIX = "k8s:enc:aesgcm:v1:berth:";
    private static final byte[] PREFIX_BYTES = PREFIX.getBytes(StandardCharsets.US_ASCII);
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKey key;
    private final Path keyFile;

    private AesGcmEncryptor(SecretKey key, Path keyFile) {
        this.key = key;
        this.keyFile = keyFile;
    }

    /** Loads the key from {@code keyFile}, creating a new random key there (mode 0600) if the file is missing. */
    public static AesGcmEncryptor open(Path keyFile) {
        if (!Files.exists(keyFile)) {
            byte[] key = new byte[KEY_BYTES];
            RANDOM.nextBytes(key);
            SecureFiles.writeAtomically(keyFile,
                    (Base64.getEncoder().encodeToString(key) + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        SecureFiles.warnIfNotPrivate(keyFile);
        String text = SecureFiles.readString(keyFile).strip();
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new PkiException("encryption key file " + keyFile + " is not base64: " + e.getMessage(), e);
        }
        if (key.length != KEY_BYTES) {
            throw new PkiException("encryption key file " + keyFile + " holds " + key.length
                    + " bytes; AES-256 needs " + KEY_BYTES + " (base64-encoded)");
        }
        return new AesGcmEncryptor(new SecretKeySpec(key, "AES"), keyFile);
    }

    /** Whether {@code stored} starts with this encryptor's prefix, i.e. was written by {@link #encrypt}. */
    public static boolean isEncrypted(byte[] stored) {
        return stored != null && stored.length >= PREFIX_BYTES.length
                && Arrays.equals(stored, 0, PREFIX_BYTES.length, PREFIX_BYTES, 0, PREFIX_BYTES.length);
    }

    /** Encrypts {@code plaintext} bound to {@code associatedData} (the store key). */
    public byte[] encrypt(byte[] plaintext, byte[] associatedData) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData);
            ByteBuffer out = ByteBuffer.allocate(PREFIX_BYTES.length + NONCE_BYTES + cipher.getOutputSize(plaintext.length));
            out.put(PREFIX_BYTES).put(nonce);
            cipher.doFinal(ByteBuffer.wrap(plaintext), out);
            return Arrays.copyOf(out.array(), out.position());
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot encrypt value for " + describe(associatedData) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Decrypts what {@link #encrypt} produced for the same {@code associatedData}.
     *
     * @throws PkiException if the prefix is not ours, the value is truncated, or authentication
     *     fails: a different key, another store key, or altered bytes
     */
    public byte[] decrypt(byte[] stored, byte[] associatedData) {
        if (!isEncrypted(stored)) {
            throw new PkiException("value for " + describe(associatedData) + " does not start with " + PREFIX
                    + "; it is not encrypted with this cluster's key");
        }
        int minimum = PREFIX_BYTES.length + NONCE_BYTES + TAG_BITS / 8;
        if (stored.length < minimum) {
            throw new PkiException("encrypted value for " + describe(associatedData) + " is truncated: "
                    + stored.length + " bytes, at least " + minimum + " expected");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, stored, PREFIX_BYTES.length, NONCE_BYTES));
            cipher.updateAAD(associatedData);
            int offset = PREFIX_BYTES.length + NONCE_BYTES;
            return cipher.doFinal(stored, offset, stored.length - offset);
        } catch (AEADBadTagException e) {
            throw new PkiException("cannot decrypt value for " + describe(associatedData)
                    + ": authentication failed (a different key than " + keyFile
                    + ", a value stored under another key, or altered bytes)", e);
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot decrypt value for " + describe(associatedData) + ": " + e.getMessage(), e);
        }
    }

    private static String describe(byte[] associatedData) {
        return "\"" + new String(associatedData, StandardCharsets.UTF_8) + "\"";
    }

    @Override
    public String toString() { return "AesGcmEncryptor[" + keyFile + "]"; }
}
