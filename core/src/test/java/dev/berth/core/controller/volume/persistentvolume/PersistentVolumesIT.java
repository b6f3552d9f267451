package dev.berth.core.controller.volume.persistentvolume;

import dev.berth.core.controller.volume.VolumeCluster;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Binding and reclaim against a real API server. Volumes are cluster-wide, so every test uses a
 * class and namespace of its own.
 */
class PersistentVolumesIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String RWO = "ReadWriteOnce";

    @TempDir
    static Path dir;

    static VolumeCluster cluster;
    static KubernetesClient client;

    private String ns;
    private String cls;

    @BeforeAll
    static void start() throws Exception {
        cluster = new VolumeCluster(dir);
        client = cluster.client();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @org.junit.jupiter.api.BeforeEach
    void namespace(TestInfo info) {
        String method = info.getTestMethod().orElseThrow().getName().toLowerCase();
        ns = method.length() > 40 ? method.substring(0, 40) : method;
        cls = "cls-" + ns;
        cluster.cluster().createNamespace(ns);
    }

    private String pv(String suffix) {
        return ns + "-" + suffix;
    }

    private void awaitBound(String claim, String volume) {
        await().atMost(WAIT).untilAsserted(() -> {
            PersistentVolumeClaim c = cluster.claim(ns, claim);
            assertThat(c.getStatus().getPhase()).isEqualTo("Bound");
            assertThat(c.getSpec().getVolumeName()).isEqualTo(volume);
            assertThat(cluster.volume(volume).getStatus().getPhase()).isEqualTo("Bound");
        });
    }

    /** New volumes are Pending until the controller has seen them; only Available ones are matched. */
    private void awaitAvailable(String... suffixes) {
        await().atMost(WAIT).untilAsserted(() -> {
            for (String s : suffixes) {
                assertThat(cluster.volume(pv(s)).getStatus().getPhase()).as(s).isEqualTo("Available");
            }
        });
    }

    @Test
    void bindsAClaimToTheSmallestAvailableVolumeThatFits() {
        cluster.createVolume(pv("1g"), "1Gi", cls, "Retain", Map.of(), RWO);
        cluster.createVolume(pv("10g"), "10Gi", cls, "Retain", Map.of(), RWO);
        cluster.createVolume(pv("3g"), "3Gi", cls, "Retain", Map.of(), RWO);
        cluster.createVolume(pv("2g-rox"), "2Gi", cls, "Retain", Map.of(), "ReadOnlyMany");
        awaitAvailable("1g", "10g", "3g", "2g-rox");
        PersistentVolumeClaim created = cluster.createClaim(ns, "data", "2Gi", cls, RWO);

        awaitBound("data", pv("3g"));
        PersistentVolumeClaim claim = cluster.claim(ns, "data");
        assertThat(claim.getStatus().getCapacity()).containsEntry("storage", new Quantity("3Gi"));
        assertThat(claim.getStatus().getAccessModes()).containsExactly(RWO);
        assertThat(claim.getMetadata().getAnnotations())
                .containsEntry("pv.kubernetes.io/bind-completed", "yes")
                .containsEntry("pv.kubernetes.io/bound-by-controller", "yes");
        PersistentVolume volume = cluster.volume(pv("3g"));
        assertThat(volume.getSpec().getClaimRef().getUid()).isEqualTo(created.getMetadata().getUid());
        assertThat(volume.getSpec().getClaimRef().getNamespace()).isEqualTo(ns);
        assertThat(volume.getMetadata().getAnnotations()).containsEntry("pv.kubernetes.io/bound-by-controller", "yes");
        for (String other : new String[] {"1g", "10g", "2g-rox"}) {
            assertThat(cluster.volume(pv(other)).getStatus().getPhase()).isEqualTo("Available");
            assertThat(cluster.volume(pv(other)).getSpec().getClaimRef()).isNull();
        }
    }

    @Test
    void claimWaitsForAVolumeOfItsAccessModeAndSelectorThenBindsWhenOneAppears() {
        cluster.createVolume(pv("rwo"), "5Gi", cls, "Retain", Map.of("tier", "fast"), RWO);
        cluster.createVolume(pv("rwx-slow"), "5Gi", cls, "Retain", Map.of("tier", "slow"), "ReadWriteMany");
        awaitAvailable("rwo", "rwx-slow");
        client.persistentVolumeClaims().inNamespace(ns).resource(cluster.claimBuilder(ns, "shared", "1Gi", cls, "ReadWriteMany")
                .editSpec().withNewSelector().addToMatchLabels("tier", "fast").endSelector().endSpec().build()).create();

        await().atMost(WAIT).untilAsserted(() ->
                assertThat(cluster.events(ns, "shared", "ProvisioningFailed")).singleElement().satisfies(e ->
                        assertThat(e.getMessage()).isEqualTo("storageclass.storage.k8s.io \"" + cls + "\" not found")));
        assertThat(cluster.claim(ns, "shared").getStatus().getPhase()).isEqualTo("Pending");

        cluster.createVolume(pv("rwx-fast"), "5Gi", cls, "Retain", Map.of("tier", "fast"), "ReadWriteMany", RWO);
        awaitBound("shared", pv("rwx-fast"));
        assertThat(cluster.volume(pv("rwo")).getSpec().getClaimRef()).isNull();
        assertThat(cluster.volume(pv("rwx-slow")).getSpec().getClaimRef()).isNull();
    }

    @Test
    void claimNamingAVolumeBindsToItAndReportsWhyItCannot() {
        cluster.createVolume(pv("small"), "1Gi", cls, "Retain", Map.of(), RWO);
        cluster.createVolume(pv("big"), "20Gi", cls, "Retain", Map.of(), RWO);
        client.persistentVolumeClaims().inNamespace(ns).resource(cluster.claimBuilder(ns, "named", "1Gi", cls, RWO)
                .editSpec().withVolumeName(pv("big")).endSpec().build()).create();
        awaitBound("named", pv("big"));
        // a claim the user bound by name is not annotated as bound by the controller
        assertThat(cluster.claim(ns, "named").getMetadata().getAnnotations())
                .containsEntry("pv.kubernetes.io/bind-completed", "yes")
                .doesNotContainKey("pv.kubernetes.io/bound-by-controller");
        assertThat(cluster.volume(pv("small")).getStatus().getPhase()).isEqualTo("Available");

        client.persistentVolumeClaims().inNamespace(ns).resource(cluster.claimBuilder(ns, "too-big", "5Gi", cls, RWO)
                .editSpec().withVolumeName(pv("small")).endSpec().build()).create();
        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.events(ns, "too-big", "VolumeMismatch"))
                .anySatisfy(e -> assertThat(e.getMessage())
                        .isEqualTo("Cannot bind to requested volume \"" + pv("small") + "\": requested PV is too small")));
        assertThat(cluster.claim(ns, "too-big").getStatus().getPhase()).isEqualTo("Pending");
        assertThat(cluster.volume(pv("small")).getSpec().getClaimRef()).isNull();
    }

    @Test
    void volumePreBoundToAClaimWaitsForItAndIsChosenOverSmallerOnes() {
        client.persistentVolumes().resource(new PersistentVolumeBuilder()
                .withNewMetadata().withName(pv("reserved")).endMetadata()
                .withNewSpec().withCapacity(Map.of("storage", new Quantity("8Gi"))).withAccessModes(RWO)
                .withStorageClassName(cls).withNewHostPath().withPath("/srv/reserved").endHostPath()
                .withNewClaimRef().withNamespace(ns).withName("db").endClaimRef().endSpec()
                .build()).create();
        cluster.createVolume(pv("small"), "1Gi", cls, "Retain", Map.of(), RWO);
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(cluster.volume(pv("reserved")).getStatus().getPhase()).isEqualTo("Available"));
        // another claim cannot take the reserved volume
        cluster.createClaim(ns, "other", "4Gi", cls, RWO);

        PersistentVolumeClaim db = cluster.createClaim(ns, "db", "1Gi", cls, RWO);
        awaitBound("db", pv("reserved"));
        assertThat(cluster.volume(pv("reserved")).getSpec().getClaimRef().getUid()).isEqualTo(db.getMetadata().getUid());
        assertThat(cluster.claim(ns, "other").getStatus().getPhase()).isEqualTo("Pending");
        assertThat(cluster.volume(pv("small")).getStatus().getPhase()).isEqualTo("Available");
    }

    @Test
    void retainedVolumeIsReleasedWhenItsClaimIsDeletedAndNotBoundAgain() {
        cluster.createVolume(pv("keep"), "1Gi", cls, "Retain", Map.of(), RWO);
        cluster.createClaim(ns, "data", "1Gi", cls, RWO);
        awaitBound("data", pv("keep"));

        client.persistentVolumeClaims().inNamespace(ns).withName("data").delete();
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(cluster.volume(pv("keep")).getStatus().getPhase()).isEqualTo("Released"));
        assertThat(cluster.volume(pv("keep")).getSpec().getClaimRef().getName()).isEqualTo("data");

        // a new claim of the same name is another claim: the released volume is not bound to it
        cluster.createClaim(ns, "data", "1Gi", cls, RWO);
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(cluster.events(ns, "data", "ProvisioningFailed")).isNotEmpty());
        assertThat(cluster.claim(ns, "data").getStatus().getPhase()).isEqualTo("Pending");
        assertThat(cluster.volume(pv("keep")).getStatus().getPhase()).isEqualTo("Released");
    }

    @Test
    void staticVolumeWithDeletePolicyFailsOnceReleasedForWantOfADeleter() {
        cluster.createVolume(pv("static"), "1Gi", cls, "Delete", Map.of(), RWO);
        cluster.createClaim(ns, "data", "1Gi", cls, RWO);
        awaitBound("data", pv("static"));

        client.persistentVolumeClaims().inNamespace(ns).withName("data").delete();
        await().atMost(WAIT).untilAsserted(() -> {
            PersistentVolume v = cluster.volume(pv("static"));
            assertThat(v.getStatus().getPhase()).isEqualTo("Failed");
            assertThat(v.getStatus().getMessage()).isEqualTo("error getting deleter volume plugin for volume \""
                    + pv("static") + "\": no deletable volume plugin matched");
        });
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(client.v1().events().inNamespace("default").list().getItems())
                        .anySatisfy(e -> {
                            assertThat(e.getInvolvedObject().getName()).isEqualTo(pv("static"));
                            assertThat(e.getReason()).isEqualTo("VolumeFailedDelete");
                        }));
    }

    @Test
    void boundClaimIsLostWhenItsVolumeIsDeleted() {
        cluster.createVolume(pv("gone"), "1Gi", cls, "Retain", Map.of(), RWO);
        cluster.createClaim(ns, "data", "1Gi", cls, RWO);
        awaitBound("data", pv("gone"));

        client.persistentVolumes().withName(pv("gone")).delete();
        await().atMost(WAIT).untilAsserted(() -> {
            PersistentVolumeClaim c = cluster.claim(ns, "data");
            assertThat(c.getStatus().getPhase()).isEqualTo("Lost");
            assertThat(c.getStatus().getCapacity()).isNullOrEmpty();
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.events(ns, "data", "ClaimLost"))
                .singleElement().satisfies(e -> assertThat(e.getMessage())
                        .isEqualTo("Bound claim has lost its PersistentVolume. Data on the volume is lost!")));
    }

    @Test
    void claimWithoutAClassWaitsWithFailedBinding() {
        PersistentVolumeClaim claim = cluster.createClaim(ns, "classless", "1Gi", "", RWO);
        assertThat(claim.getSpec().getStorageClassName()).isEmpty();
        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.events(ns, "classless", "FailedBinding"))
                .singleElement().satisfies(e -> {
                    assertThat(e.getType()).isEqualTo("Normal");
                    assertThat(e.getMessage())
                            .isEqualTo("no persistent volumes available for this claim and no storage class is set");
                }));
        // a class-less volume serves it
        cluster.createVolume(pv("classless"), "1Gi", "", "Retain", Map.of(), RWO);
        awaitBound("classless", pv("classless"));
    }
}
