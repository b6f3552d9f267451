package dev.berth.core.pki;

import static dev.berth.core.pki.PkiTesting.mode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AesGcmEncryptorTest {
    static final byte[] KEY = bytes("/registry/secrets/default/db");
    static final byte[] SECRET = bytes("{\"data\":{\"password\":\"hunter2-correct-horse-battery\"}}");
    @TempDir Path dir;

    @Test
    void encryptsIntoTheKubernetesAesGcmEnvelopeWithoutThePlaintextInside() {
        AesGcmEncryptor encryptor = AesGcmEncryptor.open(dir.resolve("encryption.key"));

        byte[] stored = encryptor.encrypt(SECRET, KEY);

        assertThat(new String(stored, 0, 24, StandardCharsets.US_ASCII)).isEqualTo("k8s:enc:aesgcm:v1:berth:");
        assertThat(stored).hasSize(24 + 12 + SECRET.length + 16);
        assertThat(indexOf(stored, SECRET)).isEqualTo(-1);
        assertThat(indexOf(stored, bytes("hunter2"))).isEqualTo(-1);
        assertThat(AesGcmEncryptor.isEncrypted(stored)).isTrue();
        assertThat(encryptor.decrypt(stored, KEY)).isEqualTo(SECRET);
    }

    @Test
    void usesAFreshNonceForEveryValue() {
        AesGcmEncryptor encryptor = AesGcmEncryptor.open(dir.resolve("encryption.key"));

        assertThat(encryptor.encrypt(SECRET, KEY)).isNotEqualTo(encryptor.encrypt(SECRET, KEY));
    }

    @Test
    void createsAnOwnerOnlyKeyFileAndReusesItOnTheNextStart() throws Exception {
        Path keyFile = dir.resolve("pki/encryption.key");
        byte[] stored = AesGcmEncryptor.open(keyFile).encrypt(SECRET, KEY);

        assertThat(mode(keyFile)).isEqualTo("rw-------");
        assertThat(Base64.getDecoder().decode(Files.readString(keyFile).strip())).hasSize(32);
        assertThat(AesGcmEncryptor.open(keyFile).decrypt(stored, KEY)).isEqualTo(SECRET);
    }

    @Test
    void aCiphertextMovedToAnotherStoreKeyDoesNotDecrypt() {
        AesGcmEncryptor encryptor = AesGcmEncryptor.open(dir.resolve("encryption.key"));
        byte[] stored = encryptor.encrypt(SECRET, KEY);

        assertThatThrownBy(() -> encryptor.decrypt(stored, bytes("/registry/secrets/default/other")))
                .isInstanceOf(PkiException.class)
                .hasMessageStartingWith("cannot decrypt value for \"/registry/secrets/default/other\": authentication failed");
    }

    @Test
    void detectsAlteredBytes() {
        AesGcmEncryptor encryptor = AesGcmEncryptor.open(dir.resolve("encryption.key"));
        byte[] stored = encryptor.encrypt(SECRET, KEY);
        stored[40] ^= 1;

        assertThatThrownBy(() -> encryptor.decrypt(stored, KEY)).hasMessageContaining("authentication failed");
    }

    @Test
    void failsClearlyWithAnotherKey() {
        byte[] stored = AesGcmEncryptor.open(dir.resolve("one.key")).encrypt(SECRET, KEY);
        AesGcmEncryptor other = AesGcmEncryptor.open(dir.resolve("two.key"));

        assertThatThrownBy(() -> other.decrypt(stored, KEY))
                .hasMessage("cannot decrypt value for \"/registry/secrets/default/db\": authentication failed "
                        + "(a different key than " + dir.resolve("two.key")
                        + ", a value stored under another key, or altered bytes)");
    }

    @Test
    void refusesValuesWithoutThePrefixOrTooShort() {
        AesGcmEncryptor encryptor = AesGcmEncryptor.open(dir.resolve("encryption.key"));

        assertThat(AesGcmEncryptor.isEncrypted(SECRET)).isFalse();
        assertThatThrownBy(() -> encryptor.decrypt(SECRET, KEY))
                .hasMessage("value for \"/registry/secrets/default/db\" does not start with k8s:enc:aesgcm:v1:berth:; "
                        + "it is not encrypted with this cluster's key");
        byte[] truncated = Arrays.copyOf(encryptor.encrypt(SECRET, KEY), 30);
        assertThatThrownBy(() -> encryptor.decrypt(truncated, KEY)).hasMessageContaining("is truncated: 30 bytes");
    }

    @Test
    void rejectsAKeyFileOfTheWrongSize() throws Exception {
        Path keyFile = dir.resolve("encryption.key");
        Files.writeString(keyFile, Base64.getEncoder().encodeToString(new byte[16]));

        assertThatThrownBy(() -> AesGcmEncryptor.open(keyFile))
                .hasMessage("encryption key file " + keyFile + " holds 16 bytes; AES-256 needs 32 (base64-encoded)");
    }

    @Test
    void encryptsEmptyValues() {
        AesGcmEncryptor encryptor = AesGcmEncryptor.open(dir.resolve("encryption.key"));

        assertThat(encryptor.decrypt(encryptor.encrypt(new byte[0], KEY), KEY)).isEmpty();
    }

    private static byte[] bytes(String text) { return text.getBytes(StandardCharsets.UTF_8); }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
