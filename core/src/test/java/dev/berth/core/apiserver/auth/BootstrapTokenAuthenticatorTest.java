package dev.berth.core.apiserver.auth;

import dev.berth.core.api.ApiException;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BootstrapTokenAuthenticatorTest {
    static final Clock NOW = Clock.fixed(Instant.parse("2026-12-02T10:00:00Z"), ZoneOffset.UTC);
    final Map<String, Secret> secrets = new HashMap<>();
    final BootstrapTokenAuthenticator auth = new BootstrapTokenAuthenticator(n -> Optional.ofNullable(secrets.get(n)), NOW);

    void token(String id, String secret, String expiration, String usage, String extra) {
        SecretBuilder b = new SecretBuilder().withNewMetadata().withName("bootstrap-token-" + id).withNamespace("kube-system")
                .endMetadata().withType("bootstrap.kubernetes.io/token")
                .addToStringData("token-id", id).addToStringData("token-secret", secret);
        if (expiration != null) b.addToStringData("expiration", expiration);
        if (usage != null) b.addToStringData("usage-bootstrap-authentication", usage);
        if (extra != null) b.addToStringData("auth-extra-groups", extra);
        secrets.put("bootstrap-token-" + id, b.build());
    }

    @Test
    void validTokenIsTheBootstrapUserInTheBootstrappersGroups() {
        token("abc123", "0123456789abcdef", "2026-12-02T10:10:00Z", "true", "system:bootstrappers:berth:nodes");
        UserInfo u = auth.authenticate("abc123.0123456789abcdef").orElseThrow();
        assertThat(u.name()).isEqualTo("system:bootstrap:abc123");
        assertThat(u.groups()).containsExactly("system:bootstrappers", "system:bootstrappers:berth:nodes", "system:authenticated");
    }

    @Test
    void wrongSecretExpiredOrNotForAuthenticationIsUnauthorized() {
        token("abc123", "0123456789abcdef", "2026-12-02T10:00:00Z", "true", null);
        assertThatThrownBy(() -> auth.authenticate("abc123.0123456789abcdef"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(401));
        token("abc124", "0123456789abcdef", null, "true", null);
        assertThatThrownBy(() -> auth.authenticate("abc124.0123456789abcdee")).isInstanceOf(ApiException.class);
        token("abc125", "0123456789abcdef", null, "false", null);
        assertThatThrownBy(() -> auth.authenticate("abc125.0123456789abcdef")).isInstanceOf(ApiException.class);
        token("abc126", "0123456789abcdef", null, "true", "system:masters");
        assertThatThrownBy(() -> auth.authenticate("abc126.0123456789abcdef")).isInstanceOf(ApiException.class);
    }

    @Test
    void otherTokensAreLeftToTheNextAuthenticator() {
        assertThat(auth.authenticate("not-a-bootstrap-token")).isEmpty();
        assertThat(auth.authenticate("abc999.0123456789abcdef")).isEmpty();   // no such Secret
        assertThat(auth.authenticate("ABC123.0123456789abcdef")).isEmpty();   // upper case is not the format
    }
}
