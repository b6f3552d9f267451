package dev.berth.core.controller.volume.persistentvolume;

import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.EventRecorder;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.controller.runtime.Keys;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Kubernetes' {@code syncVolume}: keeps a volume's phase (Available, Bound, Released, Failed),
 * hands a volume whose claim is not bound yet to the claim loop, undoes bindings the controller
 * made that lost the race, and reclaims a volume whose claim is gone by its reclaim policy.
 */
final class VolumeReconciler implements Reconciler<String> {
    private final ControllerContext context;
    private final Informers informers;
    private final EventRecorder events;
    private final VolumeWrites writes;
    private final Consumer<String> enqueueClaim;

    VolumeReconciler(ControllerContext context, Consumer<String> enqueueClaim) {
        this.context = context;
        this.informers = context.informers();
        this.events = context.events();
        this.writes = new VolumeWrites(context);
        this.enqueueClaim = enqueueClaim;
    }

    @Override
    public Result reconcile(String key) {
        if (!PersistentVolumes.cachesSynced(informers)) {
            return Result.requeueAfter(PersistentVolumes.SYNC_WAIT);
        }
        PersistentVolume volume = informers.get(PersistentVolume.class, key);
        if (volume == null || volume.getSpec() == null) {
            return Result.done();
        }
        var ref = volume.getSpec().getClaimRef();
        if (ref == null || ref.getUid() == null || ref.getUid().isEmpty()) {
            // unused, or pre-bound by the user to a claim that has not been bound yet
            writes.updateVolumePhase(volume, "Available", "");
            return Result.done();
        }
        String claimKey = Keys.of(ref.getNamespace(), ref.getName());
        PersistentVolumeClaim claim = informers.get(PersistentVolumeClaim.class, claimKey);
        if (claim == null) {
            // the cache may lag behind a claim just created: ask the API before releasing the volume
            claim = context.client().persistentVolumeClaims().inNamespace(ref.getNamespace()).withName(ref.getName()).get();
        }
        if (claim != null && !Objects.equals(claim.getMetadata().getUid(), ref.getUid())) {
            claim = null; // deleted and created again under the same name: not our claim
        }
        if (claim == null) {
            release(volume);
            return Result.done();
        }
        String claimVolume = claim.getSpec().getVolumeName();
        if (claimVolume == null || claimVolume.isEmpty()) {
            if (VolumeMatcher.volumeModeMismatch(claim, volume)) {
                events.warning(volume, "VolumeMismatch", "Cannot bind PersistentVolume to requested "
                        + "PersistentVolumeClaim \"%s\" due to incompatible volumeMode.", claim.getMetadata().getName());
                events.warning(claim, "VolumeMismatch", "Cannot bind PersistentVolume \"%s\" to requested "
                        + "PersistentVolumeClaim due to incompatible volumeMode.", volume.getMetadata().getName());
                return Result.done();
            }
            // the claim sync finishes the binding (a provisioned volume waits here for it)
            enqueueClaim.accept(claimKey);
            return Result.done();
        }
        if (claimVolume.equals(volume.getMetadata().getName())) {
            writes.updateVolumePhase(volume, "Bound", "");
            return Result.done();
        }
        // the claim is bound to another volume
        if (VolumeAnnotations.has(volume, VolumeAnnotations.PROVISIONED_BY)
                && "Delete".equals(volume.getSpec().getPersistentVolumeReclaimPolicy())) {
            release(volume); // provisioned for this claim, which got another one: not needed
        } else if (VolumeAnnotations.has(volume, VolumeAnnotations.BOUND_BY_CONTROLLER)) {
            unbind(volume); // the controller bound it and lost the race: undo
        }
        // else the user pre-bound it to this claim: left alone until the user fixes it
        return Result.done();
    }

    private void release(PersistentVolume volume) {
        String phase = VolumeMatcher.phase(volume);
        if (!"Released".equals(phase) && !"Failed".equals(phase)) {
            volume = writes.updateVolumePhase(volume, "Released", "");
        }
        reclaim(volume);
    }

    private void reclaim(PersistentVolume volume) {
        String policy = volume.getSpec().getPersistentVolumeReclaimPolicy();
        switch (policy == null ? "" : policy) {
            case "Retain" -> {
                // kept as Released, with its claimRef, until an administrator deals with it
            }
            case "Recycle" -> writes.updateVolumePhaseWithEvent(volume, "Failed", EventRecorder.WARNING,
                    "VolumeFailedRecycle", "No recycler plugin found for the volume!");
            case "Delete" -> {
                String provisioner = VolumeAnnotations.annotation(volume, VolumeAnnotations.PROVISIONED_BY);
                if (provisioner == null || provisioner.isEmpty() || provisioner.startsWith("kubernetes.io/")) {
                    writes.updateVolumePhaseWithEvent(volume, "Failed", EventRecorder.WARNING, "VolumeFailedDelete",
                            "error getting deleter volume plugin for volume \"" + volume.getMetadata().getName()
                                    + "\": no deletable volume plugin matched");
                }
                // else the external provisioner that created it deletes it
            }
            default -> writes.updateVolumePhaseWithEvent(volume, "Failed", EventRecorder.WARNING,
                    "VolumeUnknownReclaimPolicy", "Volume has unrecognized PersistentVolumeReclaimPolicy");
        }
    }

    private void unbind(PersistentVolume volume) {
        PersistentVolumeBuilder b = new PersistentVolumeBuilder(volume);
        b.editSpec().withClaimRef(null).endSpec();
        b.editMetadata().removeFromAnnotations(VolumeAnnotations.BOUND_BY_CONTROLLER).endMetadata();
        PersistentVolume written = context.client().persistentVolumes().resource(b.build()).update();
        writes.updateVolumePhase(written, "Available", "");
    }
}
