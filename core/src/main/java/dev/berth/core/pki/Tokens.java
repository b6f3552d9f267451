package dev.berth.core.pki;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Bearer tokens: random values handed to users in their kubeconfig, and a store
 * ({@code tokens.json}, mode 0600) that keeps only each token's SHA-256 with the identity it
 * authenticates, so the data dir never holds a usable token.
 *
 * <p>{@link #authenticate} is lock-free and looks the token's hash up in a hash map. Timing of
 * that lookup depends only on the hash, which reveals nothing usable about other tokens, so no
 * byte-by-byte comparison of secrets ever happens. Changes replace the map and rewrite the file
 * under a lock.
 */
public final class Tokens {
    public static final String FILE = "tokens.json";
    private static final int TOKEN_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One line of {@code tokens.json}. */
    record Entry(String sha256, String user, List<String> groups) {}

    record FileContent(List<Entry> tokens) {}

    private final Path file;
    private final Object writeLock = new Object();
    private volatile Map<String, Identity> byHash;

    private Tokens(Path file, Map<String, Identity> byHash) {
        this.file = file;
        this.byHash = byHash;
    }

    /** A new random token: 32 bytes from {@link SecureRandom}, base64url without padding (43 characters). */
    public static String newToken() {
        byte[] bytes = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Opens the store in {@code file}; a missing file is an empty store (created on the first {@link #issue}). */
    public static Tokens open(Path file) {
        Map<String, Identity> byHash = new LinkedHashMap<>();
        if (Files.exists(file)) {
            SecureFiles.warnIfNotPrivate(file);
            FileContent content;
            try {
                content = JSON.readValue(SecureFiles.readString(file), FileContent.class);
            } catch (JsonProcessingException e) {
                throw new PkiException("token store " + file + " is not valid: " + e.getOriginalMessage(), e);
            }
            List<Entry> entries = content == null || content.tokens() == null ? List.of() : content.tokens();
            for (int i = 0; i < entries.size(); i++) {
                Entry entry = entries.get(i);
                if (entry.sha256() == null || !entry.sha256().matches("[0-9a-f]{64}")) {
                    throw new PkiException("token store " + file + ": tokens[" + i + "].sha256 \"" + entry.sha256()
                            + "\" is not 64 lowercase hex digits");
                }
                if (entry.user() == null || entry.user().isBlank()) {
                    throw new PkiException("token store " + file + ": tokens[" + i + "].user must not be empty");
                }
                byHash.put(entry.sha256(), new Identity(entry.user(), entry.groups()));
            }
        }
        return new Tokens(file, Map.copyOf(byHash));
    }

    /** Creates a token for {@code identity}, stores its hash (rewriting the file) and returns the token: the only time it is seen. */
    public String issue(Identity identity) {
        String token = newToken();
        add(token, identity);
        return token;
    }

    /** Stores a token chosen elsewhere (for example read back from an existing kubeconfig). */
    public void add(String token, Identity identity) {
        synchronized (writeLock) {
            Map<String, Identity> next = new LinkedHashMap<>(byHash);
            next.put(sha256(token), identity);
            save(next);
        }
    }

    /** Forgets every token of {@code user}; returns how many there were. */
    public int revokeUser(String user) {
        synchronized (writeLock) {
            Map<String, Identity> next = new LinkedHashMap<>(byHash);
            int before = next.size();
            next.values().removeIf(identity -> identity.user().equals(user));
            int removed = before - next.size();
            if (removed > 0) save(next);
            return removed;
        }
    }

    /** The identity {@code token} authenticates, or empty for an unknown token. */
    public Optional<Identity> authenticate(String token) {
        if (token == null || token.isEmpty()) return Optional.empty();
        return Optional.ofNullable(byHash.get(sha256(token)));
    }

    /** How many tokens the store holds. */
    public int size() { return byHash.size(); }

    private void save(Map<String, Identity> next) {
        List<Entry> entries = new ArrayList<>();
        next.forEach((hash, identity) -> entries.add(new Entry(hash, identity.user(), identity.groups())));
        entries.sort(Comparator.comparing(Entry::user).thenComparing(Entry::sha256));
        try {
            SecureFiles.writeAtomically(file, JSON.writeValueAsBytes(new FileContent(entries)));
        } catch (JsonProcessingException e) {
            throw new PkiException("cannot encode token store " + file + ": " + e.getMessage(), e);
        }
        byHash = Map.copyOf(next); // publish only what is on disk
    }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
