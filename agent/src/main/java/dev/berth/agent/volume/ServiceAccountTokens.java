package dev.berth.agent.volume;

import dev.berth.agent.volume.AtomicWriter.FileProjection;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccountTokenProjection;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Service account tokens of projected volumes, from the TokenRequest API
 * ({@code serviceaccounts/<name>/token}), bound to the pod, and renewed as kubelet's token manager
 * does: once 80% of a token's life has passed (or it is older than 24 hours). The life is the
 * expirationSeconds the server granted, counted from when this node asked.
 */
final class ServiceAccountTokens {
    /** The projection's default expirationSeconds. */
    static final long DEFAULT_EXPIRATION_SECONDS = 3600;
    /** The API's minimum expirationSeconds. */
    static final long MIN_EXPIRATION_SECONDS = 600;
    private static final Duration MAX_AGE = Duration.ofHours(24);

    private final KubernetesClient client;
    private final Clock clock;
    private final Map<Key, Issued> cache = new ConcurrentHashMap<>();

    ServiceAccountTokens(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    private record Key(String podUid, String namespace, String serviceAccount, String audience, long expirationSeconds) {
    }

    private record Issued(String token, Instant issued, Instant expires) {
        boolean needsRefresh(Instant now) {
            Duration life = Duration.between(issued, expires);
            Instant refreshAt = issued.plus(life.multipliedBy(8).dividedBy(10));
            return !now.isBefore(refreshAt) || !now.isBefore(issued.plus(MAX_AGE));
        }
    }

    Map<String, FileProjection> files(Pod pod, ServiceAccountTokenProjection source, int mode) throws SetUpFailure {
        String path = source.getPath();
        if (path == null || path.isEmpty()) {
            throw new SetUpFailure("serviceAccountToken.path: Required value");
        }
        long seconds = source.getExpirationSeconds() == null ? DEFAULT_EXPIRATION_SECONDS : source.getExpirationSeconds();
        if (seconds < MIN_EXPIRATION_SECONDS) {
            throw new SetUpFailure("serviceAccountToken.expirationSeconds: Invalid value: " + seconds
                    + ": may not specify a duration less than 10 minutes");
        }
        String sa = pod.getSpec().getServiceAccountName();
        if (sa == null || sa.isEmpty()) {
            sa = "default";
        }
        String audience = source.getAudience() == null ? "" : source.getAudience();
        Key key = new Key(pod.getMetadata().getUid(), pod.getMetadata().getNamespace(), sa, audience, seconds);
        Instant now = clock.instant();
        Issued issued = cache.get(key);
        if (issued == null || issued.needsRefresh(now)) {
            issued = request(pod, key, now);
            cache.put(key, issued);
        }
        return Map.of(path, new FileProjection(issued.token().getBytes(StandardCharsets.UTF_8), mode));
    }

    private Issued request(Pod pod, Key key, Instant now) throws SetUpFailure {
        TokenRequest request = new TokenRequestBuilder()
                .withNewSpec()
                .withAudiences(key.audience().isEmpty() ? List.of() : List.of(key.audience()))
                .withExpirationSeconds(key.expirationSeconds())
                .withNewBoundObjectRef()
                .withApiVersion("v1")
                .withKind("Pod")
                .withName(pod.getMetadata().getName())
                .withUid(pod.getMetadata().getUid())
                .endBoundObjectRef()
                .endSpec()
                .build();
        TokenRequest answer;
        try {
            answer = client.serviceAccounts().inNamespace(key.namespace()).withName(key.serviceAccount()).tokenRequest(request);
        } catch (KubernetesClientException e) {
            throw new SetUpFailure("failed to fetch token: serviceaccounts \"" + key.serviceAccount() + "\" token: "
                    + (e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage()), e);
        }
        if (answer == null || answer.getStatus() == null || answer.getStatus().getToken() == null) {
            throw new SetUpFailure("failed to fetch token: the TokenRequest for serviceaccounts \"" + key.serviceAccount()
                    + "\" came back without a token");
        }
        // the token's life as the server granted it, counted on this node's clock: a node whose clock
        // is off from the control plane's still renews in time
        Long granted = answer.getSpec() == null ? null : answer.getSpec().getExpirationSeconds();
        Instant expires = now.plusSeconds(granted == null || granted <= 0 ? key.expirationSeconds() : granted);
        return new Issued(answer.getStatus().getToken(), now, expires);
    }

    void forget(String podUid) {
        cache.keySet().removeIf(k -> k.podUid().equals(podUid));
    }
}
