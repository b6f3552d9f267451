package dev.berth.core.controller.volume.persistentvolume;

import dev.berth.core.api.labels.LabelSelector;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which volume a claim may bind, as Kubernetes' {@code findByClaim} and
 * {@code checkVolumeSatisfyClaim}: pure functions over the volumes given.
 */
final class VolumeMatcher {
    private VolumeMatcher() {
    }

    /**
     * The best volume for an unbound claim: a volume already pre-bound to it through claimRef if one
     * fits, else the Available, unclaimed volume of the claim's class whose labels match the claim's
     * selector, whose access modes include the claim's (fewest extra modes first), of the same
     * volumeMode and large enough, the smallest first. With {@code delayBinding} (WaitForFirstConsumer)
     * only pre-bound volumes are considered: the scheduler chooses the others.
     */
    static Optional<PersistentVolume> bestMatch(PersistentVolumeClaim claim, Collection<PersistentVolume> volumes,
                                                boolean delayBinding) {
        BigDecimal requested = VolumeAnnotations.requestedStorage(claim);
        String requestedClass = VolumeAnnotations.claimClass(claim);
        Set<String> claimModes = modes(claim.getSpec().getAccessModes());
        LabelSelector selector = claim.getSpec().getSelector() == null ? null
                : LabelSelector.from(claim.getSpec().getSelector());
        Comparator<PersistentVolume> order = Comparator
                .comparingInt((PersistentVolume v) -> modes(v.getSpec().getAccessModes()).size())
                .thenComparing(VolumeAnnotations::capacity)
                .thenComparing(v -> v.getMetadata().getName());
        PersistentVolume best = null;
        for (PersistentVolume v : volumes) {
            if (v.getSpec() == null || v.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            if (VolumeAnnotations.capacity(v).compareTo(requested) < 0 || volumeModeMismatch(claim, v)
                    || !modes(v.getSpec().getAccessModes()).containsAll(claimModes)) {
                continue;
            }
            if (VolumeAnnotations.isBoundToClaim(v, claim)) {
                return Optional.of(v);
            }
            if (delayBinding) {
                continue;
            }
            if (!"Available".equals(phase(v)) || v.getSpec().getClaimRef() != null) {
                continue;
            }
            if (selector != null && !selector.matches(labels(v))) {
                continue;
            }
            if (!requestedClass.equals(VolumeAnnotations.volumeClass(v))) {
                continue;
            }
            if (best == null || order.compare(v, best) < 0) {
                best = v;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * Why a volume the claim names in {@code spec.volumeName} cannot serve it, or empty when it can,
     * in Kubernetes' words.
     */
    static Optional<String> unsatisfied(PersistentVolume volume, PersistentVolumeClaim claim) {
        if (VolumeAnnotations.capacity(volume).compareTo(VolumeAnnotations.requestedStorage(claim)) < 0) {
            return Optional.of("requested PV is too small");
        }
        if (!VolumeAnnotations.claimClass(claim).equals(VolumeAnnotations.volumeClass(volume))) {
            return Optional.of("storageClassName does not match");
        }
        if (volumeModeMismatch(claim, volume)) {
            return Optional.of("incompatible volumeMode");
        }
        if (!modes(volume.getSpec().getAccessModes()).containsAll(modes(claim.getSpec().getAccessModes()))) {
            return Optional.of("incompatible accessMode");
        }
        return Optional.empty();
    }

    static boolean volumeModeMismatch(PersistentVolumeClaim claim, PersistentVolume volume) {
        return !Objects.equals(orFilesystem(claim.getSpec().getVolumeMode()), orFilesystem(volume.getSpec().getVolumeMode()));
    }

    private static String orFilesystem(String mode) {
        return mode == null || mode.isEmpty() ? "Filesystem" : mode;
    }

    private static Set<String> modes(List<String> modes) {
        return modes == null ? Set.of() : Set.copyOf(modes);
    }

    private static Map<String, String> labels(PersistentVolume v) {
        return v.getMetadata().getLabels() == null ? Map.of() : v.getMetadata().getLabels();
    }

    static String phase(PersistentVolume v) {
        return v.getStatus() == null ? null : v.getStatus().getPhase();
    }
}
