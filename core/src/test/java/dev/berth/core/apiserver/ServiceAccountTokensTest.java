package dev.berth.core.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.api.Json;
import dev.berth.core.controller.runtime.FakeClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServiceAccountTokensTest {
    static final KeyPair KEY = ServiceAccountTokens.generateKey();
    final FakeClock clock = new FakeClock(Instant.parse("2026-12-02T07:00:00Z"));
    final ServiceAccountTokens tokens = new ServiceAccountTokens(KEY, clock);

    private String token(List<String> audiences, Duration life) {
        return tokens.issue(new ServiceAccountTokens.Claims("ns", "builder", "sa-uid", "web-0", "pod-uid", audiences,
                clock.instant(), clock.instant().plus(life)));
    }

    @Test
    void issuesAJwtWithKubernetesClaims() {
        String jwt = token(List.of(ServiceAccountTokens.ISSUER), Duration.ofHours(1));
        String[] parts = jwt.split("\\.");
        JsonNode header = Json.parse(Base64.getUrlDecoder().decode(parts[0]));
        JsonNode payload = Json.parse(Base64.getUrlDecoder().decode(parts[1]));

        assertThat(header.path("alg").asText()).isEqualTo("RS256");
        assertThat(payload.path("sub").asText()).isEqualTo("system:serviceaccount:ns:builder");
        assertThat(payload.path("iss").asText()).isEqualTo(ServiceAccountTokens.ISSUER);
        assertThat(payload.path("exp").asLong()).isEqualTo(clock.instant().plusSeconds(3600).getEpochSecond());
        assertThat(payload.path("kubernetes.io").path("pod").path("uid").asText()).isEqualTo("pod-uid");
        assertThat(payload.path("kubernetes.io").path("serviceaccount").path("name").asText()).isEqualTo("builder");
        assertThat(tokens.verify(jwt)).hasValueSatisfying(c -> {
            assertThat(c.namespace()).isEqualTo("ns");
            assertThat(c.podName()).isEqualTo("web-0");
        });
    }

    @Test
    void expiredForgedOrForeignAudienceTokensAreUnauthorized() {
        String jwt = token(List.of(ServiceAccountTokens.ISSUER), Duration.ofMinutes(10));
        String foreign = token(List.of("vault"), Duration.ofHours(1));
        String[] parts = jwt.split("\\.");
        String forged = parts[0] + "." + parts[1] + "." + token(List.of(ServiceAccountTokens.ISSUER), Duration.ofHours(2)).split("\\.")[2];

        assertThatThrownBy(() -> tokens.verify(forged)).isInstanceOf(ApiException.class).hasMessage("Unauthorized");
        assertThatThrownBy(() -> tokens.verify(foreign)).isInstanceOf(ApiException.class);
        assertThat(tokens.verify(jwt)).isPresent();
        clock.advance(Duration.ofMinutes(10));
        assertThatThrownBy(() -> tokens.verify(jwt)).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> new ServiceAccountTokens(ServiceAccountTokens.generateKey(), clock)
                .verify(token(List.of(ServiceAccountTokens.ISSUER), Duration.ofHours(1))))
                .as("another key's token").isInstanceOf(ApiException.class);
    }

    @Test
    void otherBearerTokensAreLeftToOtherAuthenticators() {
        assertThat(tokens.verify("test-admin-token")).isEmpty();
        String other = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes()) + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString("{\"iss\":\"https://example.org\"}".getBytes()) + ".";
        assertThat(tokens.verify(other)).isEmpty();
    }

    @Test
    void theKeyIsKeptInAPrivateFileAndReadBack(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pki/service-account.key");
        KeyPair first = ServiceAccountTokens.loadOrCreateKey(file);
        KeyPair again = ServiceAccountTokens.loadOrCreateKey(file);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(again.getPublic()).isEqualTo(first.getPublic());
        String jwt = new ServiceAccountTokens(first, clock).issue(new ServiceAccountTokens.Claims("ns", "sa", "u", null,
                null, List.of(ServiceAccountTokens.ISSUER), clock.instant(), clock.instant().plusSeconds(600)));
        assertThat(new ServiceAccountTokens(again, clock).verify(jwt)).isPresent();
    }
}
