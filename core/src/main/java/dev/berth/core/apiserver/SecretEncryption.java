package dev.berth.core.apiserver;

import dev.berth.core.apiserver.cache.ValueTransformer;
import dev.berth.core.pki.AesGcmEncryptor;

import java.nio.charset.StandardCharsets;

/**
 * Encrypts whole Secret objects at rest (data, annotations and all: kubectl's
 * last-applied-configuration annotation carries the data too), with the store key as associated
 * data so a ciphertext cannot be moved to another key.
 */
public final class SecretEncryption implements ValueTransformer {
    private static final String PREFIX = "/core/secrets/";
    private final AesGcmEncryptor encryptor;

    public SecretEncryption(AesGcmEncryptor encryptor) {
        this.encryptor = encryptor;
    }

    @Override
    public byte[] fromStorage(String key, byte[] stored) {
        if (key.startsWith(PREFIX) && AesGcmEncryptor.isEncrypted(stored)) {
            return encryptor.decrypt(stored, key.getBytes(StandardCharsets.UTF_8));
        }
        return stored;
    }

    @Override
    public byte[] toStorage(String key, byte[] json) {
        if (key.startsWith(PREFIX)) {
            return encryptor.encrypt(json, key.getBytes(StandardCharsets.UTF_8));
        }
        return json;
    }
}
