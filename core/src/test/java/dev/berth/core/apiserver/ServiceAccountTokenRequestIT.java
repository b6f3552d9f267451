package dev.berth.core.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.api.Json;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The TokenRequest API, {@code serviceaccounts/<name>/token}, and the tokens it issues, with the fabric8 client. */
class ServiceAccountTokenRequestIT {
    private static final String NS = "tokens";

    @TempDir
    static Path dir;
    static TestApiServer server;
    static KubernetesClient admin;

    @BeforeAll
    static void start() throws Exception {
        server = new TestApiServer(dir);
        admin = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(server.kubeconfig()))).build();
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
        admin.serviceAccounts().inNamespace(NS).resource(new ServiceAccountBuilder().withNewMetadata().withName("builder")
                .endMetadata().build()).create();
    }

    @AfterAll
    static void stop() {
        admin.close();
        server.close();
    }

    private static Pod createPod(String name) {
        return admin.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withServiceAccountName("builder").addNewContainer().withName("c").withImage("busybox:1")
                .endContainer().endSpec().build()).create();
    }

    private static TokenRequest request(Pod pod, String audience, Long seconds) {
        return admin.serviceAccounts().inNamespace(NS).withName("builder").tokenRequest(new TokenRequestBuilder()
                .withNewSpec().withAudiences(audience == null ? java.util.List.of() : java.util.List.of(audience))
                .withExpirationSeconds(seconds)
                .withNewBoundObjectRef().withApiVersion("v1").withKind("Pod").withName(pod.getMetadata().getName())
                .withUid(pod.getMetadata().getUid()).endBoundObjectRef().endSpec().build());
    }

    private static KubernetesClient as(String token) {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(server.url())
                .withCaCertData(Base64.getEncoder().encodeToString(
                        dev.berth.core.pki.Pem.encode(caCertificate()).getBytes()))
                .withOauthToken(token).withRequestRetryBackoffLimit(0).build()).build();
    }

    private static java.security.cert.X509Certificate caCertificate() {
        return dev.berth.core.pki.ClusterCa.loadOrCreate(dir.resolve("pki"), java.time.Clock.systemUTC()).certificate();
    }

    @Test
    void boundTokenAuthenticatesAsTheServiceAccountUntilItsPodIsGone() {
        Pod pod = createPod("worker");
        Instant before = Instant.now();

        TokenRequest answer = request(pod, null, 3600L);

        String token = answer.getStatus().getToken();
        assertThat(Instant.parse(answer.getStatus().getExpirationTimestamp()))
                .isAfterOrEqualTo(before.plusSeconds(3599)).isBefore(before.plusSeconds(3700));
        JsonNode claims = Json.parse(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        assertThat(claims.path("sub").asText()).isEqualTo("system:serviceaccount:tokens:builder");
        assertThat(claims.path("aud").get(0).asText()).isEqualTo(ServiceAccountTokens.ISSUER);
        assertThat(claims.path("kubernetes.io").path("pod").path("uid").asText()).isEqualTo(pod.getMetadata().getUid());
        try (KubernetesClient sa = as(token)) {
            assertThat(sa.configMaps().inNamespace(NS).list().getItems()).isEmpty();

            admin.pods().inNamespace(NS).withName("worker").withGracePeriod(0).delete();
            Awaitility.await().until(() -> admin.pods().inNamespace(NS).withName("worker").get() == null);

            assertThatThrownBy(() -> sa.configMaps().inNamespace(NS).list())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(401));
        }
    }

    @Test
    void tokenForAnotherAudienceDoesNotAuthenticateHere() {
        TokenRequest answer = request(createPod("vault-client"), "vault", 3600L);
        assertThat(answer.getSpec().getAudiences()).containsExactly("vault");
        try (KubernetesClient sa = as(answer.getStatus().getToken())) {
            assertThatThrownBy(() -> sa.configMaps().inNamespace(NS).list())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(401));
        }
    }

    @Test
    void kubectlCreateTokenPrintsATokenThatAuthenticates() throws Exception {
        var kubectl = new dev.berth.core.testing.Kubectl(server.kubeconfig(), Files.createDirectories(dir.resolve("home")));
        String token = kubectl.run("create", "token", "builder", "-n", NS, "--duration=20m").ok().out().strip();

        JsonNode claims = Json.parse(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isEqualTo(1200);
        assertThat(claims.path("kubernetes.io").path("pod").isMissingNode()).isTrue();
        try (KubernetesClient sa = as(token)) {
            assertThat(sa.configMaps().inNamespace(NS).list().getItems()).isEmpty();
        }
    }

    @Test
    void badRequestsAreRefusedNamingTheRule() {
        Pod pod = createPod("short");
        assertThatThrownBy(() -> request(pod, null, 60L))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("spec.expirationSeconds").contains("may not specify a duration less than 10 minutes");
                });
        assertThatThrownBy(() -> admin.serviceAccounts().inNamespace(NS).withName("nobody").tokenRequest(new TokenRequestBuilder()
                .withNewSpec().endSpec().build()))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));
        Pod stale = new PodBuilder(pod).editMetadata().withUid("00000000-0000-0000-0000-000000000000").endMetadata().build();
        assertThatThrownBy(() -> request(stale, null, 3600L))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    }
}
