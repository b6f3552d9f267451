package dev.berth.core.controller.volume.persistentvolume;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class VolumeMatcherTest {

    static PersistentVolume volume(String name, String size, String cls, String... modes) {
        return new PersistentVolumeBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withCapacity(Map.of("storage", new Quantity(size))).withAccessModes(modes)
                .withStorageClassName(cls).withVolumeMode("Filesystem")
                .withNewHostPath().withPath("/data/" + name).endHostPath().endSpec()
                .withNewStatus().withPhase("Available").endStatus()
                .build();
    }

    static PersistentVolumeClaim claim(String size, String cls, String... modes) {
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata().withNamespace("ns").withName("data").withUid("uid-1").endMetadata()
                .withNewSpec().withAccessModes(modes).withStorageClassName(cls).withVolumeMode("Filesystem")
                .withNewResources().addToRequests("storage", new Quantity(size)).endResources().endSpec()
                .build();
    }

    private static String name(Optional<PersistentVolume> v) {
        return v.map(x -> x.getMetadata().getName()).orElse(null);
    }

    @Test
    void picksTheSmallestVolumeThatIsLargeEnough() {
        var volumes = List.of(volume("ten", "10Gi", "manual", "ReadWriteOnce"),
                volume("one", "1Gi", "manual", "ReadWriteOnce"),
                volume("three", "3Gi", "manual", "ReadWriteOnce"),
                volume("five", "5Gi", "manual", "ReadWriteOnce"));
        assertThat(name(VolumeMatcher.bestMatch(claim("2Gi", "manual", "ReadWriteOnce"), volumes, false))).isEqualTo("three");
        assertThat(name(VolumeMatcher.bestMatch(claim("3Gi", "manual", "ReadWriteOnce"), volumes, false))).isEqualTo("three");
        assertThat(name(VolumeMatcher.bestMatch(claim("11Gi", "manual", "ReadWriteOnce"), volumes, false))).isNull();
    }

    @Test
    void comparesCapacityAcrossUnits() {
        var volumes = List.of(volume("g", "2G", "", "ReadWriteOnce"), volume("gi", "2Gi", "", "ReadWriteOnce"));
        assertThat(name(VolumeMatcher.bestMatch(claim("1900Mi", "", "ReadWriteOnce"), volumes, false))).isEqualTo("g");
        assertThat(name(VolumeMatcher.bestMatch(claim("2000Mi", "", "ReadWriteOnce"), volumes, false))).isEqualTo("gi");
    }

    @Test
    void requiresEveryRequestedAccessModeAndPrefersFewerExtraModes() {
        var volumes = List.of(volume("rox", "1Gi", "", "ReadOnlyMany"),
                volume("both", "1Gi", "", "ReadWriteOnce", "ReadOnlyMany"),
                volume("bigRwo", "5Gi", "", "ReadWriteOnce"));
        assertThat(name(VolumeMatcher.bestMatch(claim("1Gi", "", "ReadWriteOnce"), volumes, false))).isEqualTo("bigRwo");
        assertThat(name(VolumeMatcher.bestMatch(claim("1Gi", "", "ReadWriteMany"), volumes, false))).isNull();
        assertThat(name(VolumeMatcher.bestMatch(claim("1Gi", "", "ReadOnlyMany"), volumes, false))).isEqualTo("rox");
    }

    @Test
    void matchesOnlyTheSameClassAndVolumeMode() {
        PersistentVolume block = new PersistentVolumeBuilder(volume("block", "1Gi", "fast", "ReadWriteOnce"))
                .editSpec().withVolumeMode("Block").endSpec().build();
        var volumes = List.of(volume("slow", "1Gi", "slow", "ReadWriteOnce"), block);
        assertThat(name(VolumeMatcher.bestMatch(claim("1Gi", "fast", "ReadWriteOnce"), volumes, false))).isNull();
        assertThat(name(VolumeMatcher.bestMatch(claim("1Gi", "", "ReadWriteOnce"), volumes, false))).isNull();
        assertThat(name(VolumeMatcher.bestMatch(claim("1Gi", "slow", "ReadWriteOnce"), volumes, false))).isEqualTo("slow");
    }

    @Test
    void honoursTheClaimsSelector() {
        PersistentVolume fast = new PersistentVolumeBuilder(volume("fast", "9Gi", "", "ReadWriteOnce"))
                .editMetadata().addToLabels("tier", "fast").endMetadata().build();
        var volumes = List.of(volume("plain", "1Gi", "", "ReadWriteOnce"), fast);
        PersistentVolumeClaim c = new PersistentVolumeClaimBuilder(claim("1Gi", "", "ReadWriteOnce"))
                .editSpec().withNewSelector().addToMatchLabels("tier", "fast").endSelector().endSpec().build();
        assertThat(name(VolumeMatcher.bestMatch(c, volumes, false))).isEqualTo("fast");
    }

    @Test
    void skipsVolumesClaimedNotAvailableOrDeleting() {
        PersistentVolume claimed = new PersistentVolumeBuilder(volume("claimed", "1Gi", "", "ReadWriteOnce"))
                .editSpec().withNewClaimRef().withNamespace("ns").withName("other").endClaimRef().endSpec().build();
        PersistentVolume released = new PersistentVolumeBuilder(volume("released", "1Gi", "", "ReadWriteOnce"))
                .editStatus().withPhase("Released").endStatus().build();
        PersistentVolume deleting = new PersistentVolumeBuilder(volume("deleting", "1Gi", "", "ReadWriteOnce"))
                .editMetadata().withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata().build();
        assertThat(VolumeMatcher.bestMatch(claim("1Gi", "", "ReadWriteOnce"), List.of(claimed, released, deleting), false))
                .isEmpty();
    }

    @Test
    void aVolumePreBoundToTheClaimWinsEvenWhenLargerOrOfAnotherClassOrWaitingForFirstConsumer() {
        PersistentVolume preBound = new PersistentVolumeBuilder(volume("mine", "8Gi", "other", "ReadWriteOnce"))
                .editSpec().withNewClaimRef().withNamespace("ns").withName("data").endClaimRef().endSpec().build();
        var volumes = List.of(volume("small", "1Gi", "manual", "ReadWriteOnce"), preBound);
        assertThat(name(VolumeMatcher.bestMatch(claim("1Gi", "manual", "ReadWriteOnce"), volumes, false))).isEqualTo("mine");
        assertThat(name(VolumeMatcher.bestMatch(claim("1Gi", "manual", "ReadWriteOnce"), volumes, true))).isEqualTo("mine");
        // pre-bound to another uid: not ours
        PersistentVolume otherUid = new PersistentVolumeBuilder(preBound).editSpec().editClaimRef().withUid("uid-2")
                .endClaimRef().endSpec().build();
        assertThat(name(VolumeMatcher.bestMatch(claim("1Gi", "manual", "ReadWriteOnce"),
                List.of(volume("small", "1Gi", "manual", "ReadWriteOnce"), otherUid), false))).isEqualTo("small");
    }

    @Test
    void waitForFirstConsumerLeavesUnboundVolumesToTheScheduler() {
        var volumes = List.of(volume("small", "1Gi", "local", "ReadWriteOnce"));
        assertThat(VolumeMatcher.bestMatch(claim("1Gi", "local", "ReadWriteOnce"), volumes, true)).isEmpty();
    }

    @Test
    void explainsWhyARequestedVolumeCannotServeTheClaim() {
        PersistentVolume v = volume("v", "1Gi", "manual", "ReadWriteOnce");
        assertThat(VolumeMatcher.unsatisfied(v, claim("2Gi", "manual", "ReadWriteOnce"))).contains("requested PV is too small");
        assertThat(VolumeMatcher.unsatisfied(v, claim("1Gi", "fast", "ReadWriteOnce"))).contains("storageClassName does not match");
        assertThat(VolumeMatcher.unsatisfied(v, claim("1Gi", "manual", "ReadWriteMany"))).contains("incompatible accessMode");
        assertThat(VolumeMatcher.unsatisfied(v, claim("1Gi", "manual", "ReadWriteOnce"))).isEmpty();
    }
}
