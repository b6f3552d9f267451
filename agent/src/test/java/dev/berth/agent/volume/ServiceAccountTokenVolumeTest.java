package dev.berth.agent.volume;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.api.Json;
import dev.berth.core.controller.runtime.FakeClock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

import static dev.berth.agent.volume.VolumeTestSupport.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** serviceAccountToken sources of projected volumes, through the TokenRequest API. */
class ServiceAccountTokenVolumeTest {
    private static final String NS = "tokens";

    static VolumeTestSupport api;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void startServer() throws Exception {
        api = VolumeTestSupport.shared(NS);
        api.client.serviceAccounts().inNamespace(NS).resource(new ServiceAccountBuilder().withNewMetadata()
                .withName("builder").endMetadata().build()).create();
    }

    private static Pod createPod(String name, Long expirationSeconds, String audience) {
        return api.client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withServiceAccountName("builder")
                .addNewContainer().withName("app").withImage("berth-test/busybox:1").endContainer()
                .addToVolumes(new VolumeBuilder().withName("kube-api-access").withNewProjected()
                        .addNewSource().withNewServiceAccountToken().withPath("token").withAudience(audience)
                        .withExpirationSeconds(expirationSeconds).endServiceAccountToken().endSource()
                        .addNewSource().withNewDownwardAPI().addNewItem().withPath("namespace").withNewFieldRef()
                        .withFieldPath("metadata.namespace").endFieldRef().endItem().endDownwardAPI().endSource()
                        .endProjected().build())
                .endSpec().build()).create();
    }

    private static JsonNode claims(String jwt) {
        return Json.parse(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
    }

    @Test
    void tokenIsBoundToThePodAndRenewedOnceEightyPercentOfItsLifeHasPassed() throws IOException {
        FakeClock clock = new FakeClock();
        DefaultPodVolumes volumes = new DefaultPodVolumes(dataDir, api.client, clock, "node-a");
        Pod pod = createPod("worker", 3600L, null);

        Path dir = volumes.setUp(pod).get("kube-api-access");
        String first = read(dir.resolve("token"));

        assertThat(dir).isEqualTo(dataDir.resolve("pods/" + pod.getMetadata().getUid() + "/volumes/kubernetes.io~projected/kube-api-access"));
        assertThat(read(dir.resolve("namespace"))).isEqualTo(NS);
        assertThat(claims(first).path("sub").asText()).isEqualTo("system:serviceaccount:tokens:builder");
        assertThat(claims(first).path("kubernetes.io").path("pod").path("uid").asText()).isEqualTo(pod.getMetadata().getUid());
        assertThat(AtomicWriter.modeOf(dir.resolve("token").toRealPath())).isEqualTo(0644);

        clock.advance(Duration.ofMinutes(47));
        volumes.setUp(pod);
        assertThat(read(dir.resolve("token"))).as("before 80%% of an hour").isEqualTo(first);

        clock.advance(Duration.ofMinutes(2));
        volumes.setUp(pod);
        String second = read(dir.resolve("token"));
        assertThat(second).as("after 80%% of an hour").isNotEqualTo(first);
        assertThat(claims(second).path("kubernetes.io").path("pod").path("uid").asText()).isEqualTo(pod.getMetadata().getUid());
    }

    @Test
    void audienceIsAskedFor() throws IOException {
        DefaultPodVolumes volumes = new DefaultPodVolumes(dataDir, api.client, new FakeClock(), "node-a");
        Path dir = volumes.setUp(createPod("vault-client", null, "vault")).get("kube-api-access");

        JsonNode claims = claims(read(dir.resolve("token")));
        assertThat(claims.path("aud").get(0).asText()).isEqualTo("vault");
        assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isEqualTo(3600);
    }

    @Test
    void tooShortALifeOrAMissingServiceAccountFailsNamingTheVolume() {
        DefaultPodVolumes volumes = new DefaultPodVolumes(dataDir, api.client, new FakeClock(), "node-a");
        Pod created = createPod("short", 3600L, null);
        // the API refuses such a pod; the agent checks again for a pod that came another way
        Pod shortLived = new PodBuilder(created).editSpec().editFirstVolume().editProjected().editFirstSource()
                .editServiceAccountToken().withExpirationSeconds(60L).endServiceAccountToken().endSource().endProjected()
                .endVolume().endSpec().build();
        assertThatThrownBy(() -> volumes.setUp(shortLived)).isInstanceOf(VolumeException.class)
                .hasMessage("MountVolume.SetUp failed for volume \"kube-api-access\" : serviceAccountToken.expirationSeconds: "
                        + "Invalid value: 60: may not specify a duration less than 10 minutes");
        Pod orphan = new PodBuilder(createPod("orphan", 3600L, null)).editSpec().withServiceAccountName("ghost").endSpec().build();
        assertThatThrownBy(() -> volumes.setUp(orphan)).isInstanceOf(VolumeException.class)
                .hasMessageStartingWith("MountVolume.SetUp failed for volume \"kube-api-access\" : failed to fetch token: "
                        + "serviceaccounts \"ghost\" token: ")
                .hasMessageContaining("not found");
    }
}
