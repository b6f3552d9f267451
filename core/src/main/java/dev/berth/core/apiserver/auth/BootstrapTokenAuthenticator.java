package dev.berth.core.apiserver.auth;

import dev.berth.core.api.ApiException;
import dev.berth.core.apiserver.http.ApiRequest;
import io.fabric8.kubernetes.api.model.Secret;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bootstrap tokens as Kubernetes has them: a bearer token {@code ID.SECRET} ({@code [a-z0-9]{6}.[a-z0-9]{16}})
 * is valid while a Secret {@code kube-system/bootstrap-token-ID} of type
 * {@code bootstrap.kubernetes.io/token} holds that {@code token-secret}, has
 * {@code usage-bootstrap-authentication: "true"} and its {@code expiration} (RFC 3339) has not passed.
 * The user is {@code system:bootstrap:ID} in {@code system:bootstrappers} and the groups of
 * {@code auth-extra-groups} (each must start with {@code system:bootstrappers:}).
 * A token of another shape is left to the next authenticator.
 */
public final class BootstrapTokenAuthenticator implements Authenticator {
    public static final String SECRET_TYPE = "bootstrap.kubernetes.io/token";
    public static final String SECRET_PREFIX = "bootstrap-token-";
    public static final String NAMESPACE = "kube-system";
    public static final String USER_PREFIX = "system:bootstrap:";
    public static final String GROUP = "system:bootstrappers";
    static final Pattern TOKEN = Pattern.compile("^([a-z0-9]{6})\\.([a-z0-9]{16})$");

    private final Function<String, Optional<Secret>> secrets;
    private final Clock clock;

    /** {@code secrets} finds {@code kube-system/NAME} with its data decoded as stored. */
    public BootstrapTokenAuthenticator(Function<String, Optional<Secret>> secrets, Clock clock) {
        this.secrets = secrets;
        this.clock = clock;
    }

    @Override
    public Optional<UserInfo> authenticate(ApiRequest request) {
        String h = request.header("Authorization");
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return authenticate(h.substring(7).trim());
    }

    /** The identity of {@code token}; empty when it is not a bootstrap token; 401 when it is one that is not valid. */
    public Optional<UserInfo> authenticate(String token) {
        Matcher m = TOKEN.matcher(token);
        if (!m.matches()) {
            return Optional.empty();
        }
        String id = m.group(1);
        Optional<Secret> found = secrets.apply(SECRET_PREFIX + id);
        if (found.isEmpty()) {
            return Optional.empty();   // not ours: another authenticator may know it (else 401)
        }
        Secret s = found.get();
        if (!SECRET_TYPE.equals(s.getType()) || s.getMetadata().getDeletionTimestamp() != null) {
            throw unauthorized();
        }
        String secret = value(s, "token-secret");
        if (secret == null || !MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8),
                m.group(2).getBytes(StandardCharsets.UTF_8))) {
            throw unauthorized();
        }
        String tokenId = value(s, "token-id");
        if (tokenId != null && !tokenId.equals(id)) {
            throw unauthorized();
        }
        if (!"true".equals(value(s, "usage-bootstrap-authentication"))) {
            throw unauthorized();
        }
        String expiration = value(s, "expiration");
        if (expiration != null) {
            try {
                if (!clock.instant().isBefore(Instant.parse(expiration))) {
                    throw unauthorized();
                }
            } catch (DateTimeParseException e) {
                throw unauthorized();
            }
        }
        List<String> groups = new ArrayList<>(List.of(GROUP));
        String extra = value(s, "auth-extra-groups");
        if (extra != null && !extra.isBlank()) {
            for (String g : extra.split(",")) {
                g = g.strip();
                if (!g.startsWith(GROUP + ":")) {
                    throw unauthorized();   // Kubernetes refuses such a token outright
                }
                if (!groups.contains(g)) groups.add(g);
            }
        }
        return Optional.of(new UserInfo(USER_PREFIX + id, groups));
    }

    private static ApiException unauthorized() {
        return new ApiException(401, "Unauthorized", "Unauthorized");
    }

    /** A key of {@code data} (base64) or {@code stringData}. */
    static String value(Secret s, String key) {
        Map<String, String> data = s.getData();
        if (data != null && data.get(key) != null) {
            try {
                return new String(Base64.getDecoder().decode(data.get(key)), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        Map<String, String> plain = s.getStringData();
        return plain == null ? null : plain.get(key);
    }
}
