package dev.berth.core.apiserver.auth;

import dev.berth.core.api.ApiException;
import dev.berth.core.api.Json;
import dev.berth.core.apiserver.cache.CachedObject;
import dev.berth.core.apiserver.cache.ObjectCache;
import dev.berth.core.apiserver.http.ApiRequest;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Client certificates revoked before they expire ({@code berth user remove}): their serial numbers
 * (lower-case hex) are the keys of the ConfigMap {@code kube-system/berth-revoked-certificates}.
 * Every request with a client certificate is checked against it, from the API server's watch
 * cache, so a revocation holds at once on every replica. As an {@link Authenticator} it comes first
 * and never authenticates: it refuses a revoked certificate with 401.
 */
public final class RevokedCertificates implements Authenticator {
    public static final String NAMESPACE = "kube-system";
    public static final String NAME = "berth-revoked-certificates";
    private static final String KEY = "/core/configmaps/" + NAMESPACE + "/" + NAME;

    private final ObjectCache cache;
    private volatile Snapshot snapshot = new Snapshot(-1, Set.of());

    private record Snapshot(long revision, Set<String> serials) {}

    public RevokedCertificates(ObjectCache cache) {
        this.cache = cache;
    }

    public static String serial(X509Certificate certificate) {
        return serial(certificate.getSerialNumber());
    }

    public static String serial(BigInteger serial) {
        return serial.toString(16);
    }

    public boolean isRevoked(X509Certificate certificate) {
        CachedObject o = cache.resource("core/configmaps").get(KEY);
        if (o == null) {
            return false;
        }
        Snapshot s = snapshot;
        if (s.revision() != o.modRevision()) {
            Set<String> serials = new HashSet<>();
            Json.parse(o.json()).path("data").fieldNames().forEachRemaining(serials::add);
            s = new Snapshot(o.modRevision(), Set.copyOf(serials));
            snapshot = s;
        }
        return s.serials().contains(serial(certificate));
    }

    @Override
    public Optional<UserInfo> authenticate(ApiRequest request) {
        X509Certificate[] chain = request.clientCertificates();
        if (chain != null && chain.length > 0 && isRevoked(chain[0])) {
            throw new ApiException(401, "Unauthorized", "Unauthorized: the client certificate has been revoked");
        }
        return Optional.empty();
    }
}
