package dev.berth.core.controller.volume.persistentvolume;

import dev.berth.core.controller.runtime.ControllerContext;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatus;
import io.fabric8.kubernetes.api.model.Quantity;

import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Phase and status writes both loops share; each writes only when something changed. */
final class VolumeWrites {
    private final ControllerContext context;

    VolumeWrites(ControllerContext context) {
        this.context = context;
    }

    /** Sets the volume's phase (and message) unless it has that phase already. */
    PersistentVolume updateVolumePhase(PersistentVolume volume, String phase, String message) {
        if (phase.equals(VolumeMatcher.phase(volume))) {
            return volume;
        }
        PersistentVolume changed = new PersistentVolumeBuilder(volume)
                .editOrNewStatus()
                .withPhase(phase)
                .withMessage(message == null || message.isEmpty() ? null : message)
                .withLastPhaseTransitionTime(DateTimeFormatter.ISO_INSTANT.format(
                        context.clock().instant().truncatedTo(ChronoUnit.SECONDS)))
                .endStatus()
                .build();
        return context.client().persistentVolumes().resource(changed).updateStatus();
    }

    /** As {@link #updateVolumePhase}, recording the event only when the phase changes. */
    PersistentVolume updateVolumePhaseWithEvent(PersistentVolume volume, String phase, String type, String reason,
                                                String message) {
        if (phase.equals(VolumeMatcher.phase(volume))) {
            return volume;
        }
        PersistentVolume written = updateVolumePhase(volume, phase, message);
        context.events().event(written, type, reason, message);
        return written;
    }

    /**
     * Sets the claim's phase; with a volume, its access modes and (when the claim becomes Bound)
     * its capacity as the claim's status; without one, clears them.
     */
    PersistentVolumeClaim updateClaimStatus(PersistentVolumeClaim claim, String phase, PersistentVolume volume) {
        PersistentVolumeClaimStatus old = claim.getStatus() == null ? new PersistentVolumeClaimStatus() : claim.getStatus();
        List<String> accessModes = nullIfEmpty(old.getAccessModes());
        Map<String, Quantity> capacity = nullIfEmpty(old.getCapacity());
        if (volume == null) {
            accessModes = null;
            capacity = null;
        } else {
            accessModes = nullIfEmpty(volume.getSpec().getAccessModes());
            if (!phase.equals(old.getPhase())) {
                Quantity volumeCapacity = volume.getSpec().getCapacity() == null ? null
                        : volume.getSpec().getCapacity().get("storage");
                Quantity claimCapacity = capacity == null ? null : capacity.get("storage");
                if (volumeCapacity != null && (claimCapacity == null
                        || volumeCapacity.getNumericalAmount().compareTo(claimCapacity.getNumericalAmount()) != 0)) {
                    capacity = new LinkedHashMap<>(volume.getSpec().getCapacity());
                }
            }
        }
        if (phase.equals(old.getPhase()) && Objects.equals(accessModes, nullIfEmpty(old.getAccessModes()))
                && Objects.equals(capacity, nullIfEmpty(old.getCapacity()))) {
            return claim;
        }
        PersistentVolumeClaim changed = new PersistentVolumeClaimBuilder(claim)
                .editOrNewStatus()
                .withPhase(phase)
                .withAccessModes(accessModes)
                .withCapacity(capacity)
                .endStatus()
                .build();
        return context.client().persistentVolumeClaims().inNamespace(claim.getMetadata().getNamespace())
                .resource(changed).updateStatus();
    }

    /** As {@link #updateClaimStatus}, recording the event only when the phase changes. */
    PersistentVolumeClaim updateClaimStatusWithEvent(PersistentVolumeClaim claim, String phase, PersistentVolume volume,
                                                     String type, String reason, String message) {
        boolean changes = claim.getStatus() == null || !phase.equals(claim.getStatus().getPhase());
        PersistentVolumeClaim written = updateClaimStatus(claim, phase, volume);
        if (changes) {
            context.events().event(written, type, reason, message);
        }
        return written;
    }

    private static <T> List<T> nullIfEmpty(List<T> l) {
        return l == null || l.isEmpty() ? null : l;
    }

    private static <K, V> Map<K, V> nullIfEmpty(Map<K, V> m) {
        return m == null || m.isEmpty() ? null : m;
    }
}
