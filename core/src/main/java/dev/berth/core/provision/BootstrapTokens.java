package dev.berth.core.provision;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * Makes and revokes bootstrap tokens as Kubernetes keeps them: a Secret
 * {@code kube-system/bootstrap-token-ID} of type {@code bootstrap.kubernetes.io/token}. Each node
 * add gets its own short-lived token, deleted once the node has its certificate, so it is used once.
 */
public final class BootstrapTokens {
    public static final String NAMESPACE = "kube-system";
    public static final String TYPE = "bootstrap.kubernetes.io/token";
    public static final String EXTRA_GROUP = "system:bootstrappers:berth:nodes";
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A token: {@code id.secret}. */
    public record Token(String id, String secret) {
        public String value() {
            return id + "." + secret;
        }

        public String secretName() {
            return "bootstrap-token-" + id;
        }

        @Override
        public String toString() {
            return "Token[" + id + ".<redacted>]";
        }
    }

    private final KubernetesClient client;
    private final Clock clock;

    public BootstrapTokens(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** Creates a token valid for {@code ttl}, described as being for {@code nodeName}. */
    public Token create(String nodeName, Duration ttl) {
        Token token = new Token(random(6), random(16));
        Secret secret = new SecretBuilder()
                .withNewMetadata().withName(token.secretName()).withNamespace(NAMESPACE)
                .addToLabels("berth.dev/node", nodeName).endMetadata()
                .withType(TYPE)
                .addToStringData("description", "berth node add " + nodeName)
                .addToStringData("token-id", token.id())
                .addToStringData("token-secret", token.secret())
                .addToStringData("expiration", clock.instant().plus(ttl).truncatedTo(ChronoUnit.SECONDS).toString())
                .addToStringData("usage-bootstrap-authentication", "true")
                .addToStringData("auth-extra-groups", EXTRA_GROUP)
                .build();
        client.secrets().inNamespace(NAMESPACE).resource(secret).create();
        return token;
    }

    /** Deletes the token (nothing happens when it is gone already). */
    public void revoke(Token token) {
        client.secrets().inNamespace(NAMESPACE).withName(token.secretName()).delete();
    }

    /** Deletes every token made for {@code nodeName} (left by an interrupted add). */
    public void revokeAll(String nodeName) {
        client.secrets().inNamespace(NAMESPACE).withLabel("berth.dev/node", nodeName).list().getItems().stream()
                .filter(s -> TYPE.equals(s.getType()))
                .forEach(s -> client.secrets().inNamespace(NAMESPACE).withName(s.getMetadata().getName()).delete());
    }

    private static String random(int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) b.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        return b.toString();
    }
}
