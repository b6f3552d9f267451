package dev.berth.core.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.api.FieldError;
import dev.berth.core.api.Json;
import dev.berth.core.apiserver.auth.Authenticator;
import dev.berth.core.apiserver.auth.UserInfo;
import dev.berth.core.apiserver.cache.CachedObject;
import dev.berth.core.apiserver.http.ApiResponse;
import dev.berth.core.apiserver.registry.ResourceType;
import dev.berth.core.pki.Pem;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Service account tokens as Kubernetes issues them through the TokenRequest API
 * ({@code POST serviceaccounts/<name>/token}): RS256-signed JWTs with the issuer, subject
 * {@code system:serviceaccount:<namespace>:<name>}, audiences, expiry, and the
 * {@code kubernetes.io} claim naming the service account and the pod the token is bound to. A token
 * authenticates while it has not expired, names an audience of this API server, and its service
 * account and bound pod still exist with the same uids.
 */
public final class ServiceAccountTokens {
    /** Kubernetes' default issuer, also the API server's audience. */
    public static final String ISSUER = "https://kubernetes.default.svc.cluster.local";
    /** TokenRequest's minimum expirationSeconds (10 minutes). */
    public static final long MIN_EXPIRATION_SECONDS = 600;
    /** TokenRequest's default expirationSeconds (1 hour). */
    public static final long DEFAULT_EXPIRATION_SECONDS = 3600;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final Clock clock;
    private volatile KeyPair key;
    private volatile String keyId;

    public ServiceAccountTokens(KeyPair key, Clock clock) {
        this.clock = clock;
        useKey(key);
    }

    /** Signs with a key generated on first use, unless {@link #useKey} gives one before. */
    public ServiceAccountTokens(Clock clock) {
        this.clock = clock;
    }

    private KeyPair key() {
        KeyPair k = key;
        if (k == null) {
            synchronized (this) {
                if (key == null) {
                    useKey(generateKey());
                }
                k = key;
            }
        }
        return k;
    }

    /** Signs with another key from now on (tokens signed with the old one stop authenticating). */
    public synchronized void useKey(KeyPair key) {
        if (!"RSA".equals(key.getPrivate().getAlgorithm())) {
            throw new IllegalArgumentException("service account signing key: algorithm " + key.getPrivate().getAlgorithm()
                    + " is not supported; use RSA");
        }
        this.key = key;
        try {
            this.keyId = B64.encodeToString(MessageDigest.getInstance("SHA-256").digest(key.getPublic().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair generateKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an RSA key", e);
        }
    }

    /** The RSA key in {@code file} (PEM), created (mode 0600) when missing, as kube-apiserver's sa.key. */
    public static KeyPair loadOrCreateKey(Path file) {
        try {
            if (Files.exists(file)) {
                PrivateKey priv = Pem.parsePrivateKey(Files.readString(file), file.toString());
                if (!(priv instanceof RSAPrivateCrtKey crt)) {
                    throw new IllegalArgumentException(file + ": the service account key must be an RSA key, not "
                            + priv.getAlgorithm());
                }
                PublicKey pub = KeyFactory.getInstance("RSA")
                        .generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
                return new KeyPair(pub, priv);
            }
            KeyPair pair = generateKey();
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(tmp); // Windows: the data dir's ACL applies
            }
            Files.writeString(tmp, Pem.encode(pair.getPrivate()));
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return pair;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the service account key " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(file + ": " + e.getMessage(), e);
        }
    }

    /** What a token says about whom it was issued to. */
    public record Claims(String namespace, String serviceAccount, String serviceAccountUid, String podName,
                         String podUid, List<String> audiences, Instant issuedAt, Instant expires) {
    }

    public String issue(Claims c) {
        key();
        ObjectNode header = Json.MAPPER.createObjectNode().put("alg", "RS256").put("kid", keyId);
        ObjectNode payload = Json.MAPPER.createObjectNode();
        ArrayNode aud = payload.putArray("aud");
        c.audiences().forEach(aud::add);
        payload.put("exp", c.expires().getEpochSecond());
        payload.put("iat", c.issuedAt().getEpochSecond());
        payload.put("iss", ISSUER);
        payload.put("jti", UUID.randomUUID().toString());
        ObjectNode k8s = payload.putObject("kubernetes.io");
        k8s.put("namespace", c.namespace());
        if (c.podName() != null) {
            k8s.putObject("pod").put("name", c.podName()).put("uid", c.podUid());
        }
        k8s.putObject("serviceaccount").put("name", c.serviceAccount()).put("uid", c.serviceAccountUid());
        payload.put("nbf", c.issuedAt().getEpochSecond());
        payload.put("sub", "system:serviceaccount:" + c.namespace() + ":" + c.serviceAccount());
        String signingInput = B64.encodeToString(Json.bytes(header)) + "." + B64.encodeToString(Json.bytes(payload));
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            KeyPair k = key();
            s.initSign(k.getPrivate());
            s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + B64.encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a service account token", e);
        }
    }

    /**
     * The claims of a token this server signed, checked for signature, expiry and audience; empty
     * for a bearer token that is not one of these (another authenticator may know it).
     *
     * @throws ApiException 401 for a token of this issuer that is forged, expired or for another audience
     */
    public Optional<Claims> verify(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return Optional.empty();
        }
        JsonNode payload;
        try {
            payload = Json.parse(B64D.decode(parts[1]));
            Json.parse(B64D.decode(parts[0]));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        if (!ISSUER.equals(payload.path("iss").asText())) {
            return Optional.empty();
        }
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initVerify(key().getPublic());
            s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!s.verify(B64D.decode(parts[2]))) {
                throw unauthorized();
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw unauthorized();
        }
        long now = clock.instant().getEpochSecond();
        if (payload.path("exp").asLong(0) <= now || payload.path("nbf").asLong(0) > now + 60) {
            throw unauthorized();
        }
        boolean forUs = false;
        for (JsonNode a : payload.path("aud")) {
            forUs |= ISSUER.equals(a.asText());
        }
        if (!forUs) {
            throw unauthorized();
        }
        JsonNode k8s = payload.path("kubernetes.io");
        JsonNode pod = k8s.path("pod");
        return Optional.of(new Claims(k8s.path("namespace").asText(), k8s.path("serviceaccount").path("name").asText(),
                k8s.path("serviceaccount").path("uid").asText(), pod.isMissingNode() ? null : pod.path("name").asText(),
                pod.isMissingNode() ? null : pod.path("uid").asText(), List.of(ISSUER),
                Instant.ofEpochSecond(payload.path("iat").asLong()), Instant.ofEpochSecond(payload.path("exp").asLong())));
    }

    private static ApiException unauthorized() {
        return new ApiException(401, "Unauthorized", "Unauthorized");
    }

    /**
     * Authenticates this server's tokens while their service account (and bound pod) still exist
     * with the uids the token names, as {@code system:serviceaccount:<ns>:<name>} in the groups
     * {@code system:serviceaccounts} and {@code system:serviceaccounts:<ns>}.
     */
    Authenticator authenticator(ResourceStorage storage, ResourceType serviceAccounts, ResourceType pods) {
        return req -> {
            String h = req.header("Authorization");
            if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return Optional.empty();
            }
            Optional<Claims> claims = verify(h.substring(7).trim());
            if (claims.isEmpty()) {
                return Optional.empty();
            }
            Claims c = claims.get();
            if (!uidIs(storage.find(serviceAccounts, c.namespace(), c.serviceAccount()), c.serviceAccountUid())
                    || (c.podName() != null && !uidIs(storage.find(pods, c.namespace(), c.podName()), c.podUid()))) {
                throw unauthorized();
            }
            return Optional.of(new UserInfo("system:serviceaccount:" + c.namespace() + ":" + c.serviceAccount(),
                    List.of("system:serviceaccounts", "system:serviceaccounts:" + c.namespace())));
        };
    }

    private static boolean uidIs(CachedObject o, String uid) {
        return o != null && o.tree().path("metadata").path("uid").asText().equals(uid)
                && !o.tree().path("metadata").hasNonNull("deletionTimestamp");
    }

    /** {@code POST serviceaccounts/<name>/token}: a TokenRequest in, the same with status.token out (201). */
    ApiResponse tokenRequest(ObjectNode body, ResourceStorage storage, ResourceType serviceAccounts, ResourceType pods,
                             String ns, String name) {
        ObjectNode spec = body.withObject("spec");
        long seconds = spec.path("expirationSeconds").isMissingNode() || spec.path("expirationSeconds").isNull()
                ? DEFAULT_EXPIRATION_SECONDS : spec.path("expirationSeconds").asLong();
        if (seconds < MIN_EXPIRATION_SECONDS) {
            throw ApiException.invalid("authentication.k8s.io", "TokenRequest", name, List.of(FieldError.invalid(
                    "spec.expirationSeconds", seconds, "may not specify a duration less than 10 minutes")));
        }
        if (seconds > (1L << 32)) {
            throw ApiException.invalid("authentication.k8s.io", "TokenRequest", name, List.of(FieldError.invalid(
                    "spec.expirationSeconds", seconds, "may not specify a duration larger than 2^32 seconds")));
        }
        ArrayNode audiences = spec.withArray("audiences");
        if (audiences.isEmpty()) {
            audiences.add(ISSUER);
        }
        CachedObject sa = storage.get(serviceAccounts, ns, name);
        String saUid = sa.tree().path("metadata").path("uid").asText();
        String podName = null;
        String podUid = null;
        JsonNode ref = spec.path("boundObjectRef");
        if (!ref.isMissingNode() && !ref.isNull()) {
            String kind = ref.path("kind").asText();
            if (!kind.equals("Pod")) {
                throw ApiException.invalid("authentication.k8s.io", "TokenRequest", name, List.of(FieldError.invalid(
                        "spec.boundObjectRef.kind", kind, "supported values: \"Pod\"")));
            }
            podName = ref.path("name").asText();
            CachedObject pod = storage.get(pods, ns, podName);
            podUid = pod.tree().path("metadata").path("uid").asText();
            String askedUid = ref.path("uid").asText("");
            if (!askedUid.isEmpty() && !askedUid.equals(podUid)) {
                throw ApiException.conflict("", "pods", podName, "the UID in the bound object reference (" + askedUid
                        + ") does not match the UID in record. The object might have been deleted and then recreated");
            }
            ((ObjectNode) ref).put("uid", podUid);
        }
        Instant now = clock.instant();
        Instant expires = now.plusSeconds(seconds);
        List<String> aud = new java.util.ArrayList<>();
        audiences.forEach(a -> aud.add(a.asText()));
        String token = issue(new Claims(ns, name, saUid, podName, podUid, aud, now, expires));
        spec.put("expirationSeconds", seconds);
        body.put("apiVersion", "authentication.k8s.io/v1");
        body.put("kind", "TokenRequest");
        ObjectNode meta = body.withObject("metadata");
        meta.put("name", name);
        meta.put("namespace", ns);
        meta.put("creationTimestamp", ResourceStorage.timestamp(now));
        body.putObject("status").put("token", token).put("expirationTimestamp", ResourceStorage.timestamp(expires));
        return ApiResponse.Full.json(201, Json.bytes(body));
    }
}
