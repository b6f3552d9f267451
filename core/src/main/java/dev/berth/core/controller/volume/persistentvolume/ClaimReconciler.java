package dev.berth.core.controller.volume.persistentvolume;

import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.EventRecorder;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClass;

import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Kubernetes' {@code syncClaim}: binds an unbound claim to the best volume, asks the class's
 * provisioner for one when none fits, and keeps a bound claim's phase (Bound, or Lost when its
 * volume is gone or belongs to another claim).
 */
final class ClaimReconciler implements Reconciler<String> {
    /** A Pending claim is looked at again this often, as Kubernetes' controller resyncs every 15 s. */
    static final Duration RESYNC = Duration.ofSeconds(15);

    static final String WAIT_FOR_FIRST_CONSUMER_MESSAGE = "waiting for first consumer to be created before binding";
    static final String NO_STORAGE_CLASS_MESSAGE = "no persistent volumes available for this claim and no storage class is set";

    private final ControllerContext context;
    private final Informers informers;
    private final EventRecorder events;
    private final VolumeWrites writes;

    ClaimReconciler(ControllerContext context) {
        this.context = context;
        this.informers = context.informers();
        this.events = context.events();
        this.writes = new VolumeWrites(context);
    }

    @Override
    public Result reconcile(String key) {
        if (!PersistentVolumes.cachesSynced(informers)) {
            return Result.requeueAfter(PersistentVolumes.SYNC_WAIT); // a half-filled cache would make bound claims look Lost
        }
        PersistentVolumeClaim claim = informers.get(PersistentVolumeClaim.class, key);
        if (claim == null || claim.getSpec() == null) {
            return Result.done();
        }
        if (!VolumeAnnotations.has(claim, VolumeAnnotations.BIND_COMPLETED)) {
            return syncUnbound(claim);
        }
        syncBound(claim);
        return Result.done();
    }

    private Result syncUnbound(PersistentVolumeClaim claim) {
        String volumeName = claim.getSpec().getVolumeName();
        if (volumeName == null || volumeName.isEmpty()) {
            return syncUnboundWithoutVolumeName(claim);
        }
        // the user pre-bound the claim to a volume by name
        PersistentVolume volume = informers.get(PersistentVolume.class, volumeName);
        if (volume == null) {
            writes.updateClaimStatus(claim, "Pending", null);
            return Result.requeueAfter(RESYNC);
        }
        if (volume.getSpec().getClaimRef() == null) {
            Optional<String> why = VolumeMatcher.unsatisfied(volume, claim);
            if (why.isPresent()) {
                events.warning(claim, "VolumeMismatch", "Cannot bind to requested volume \"%s\": %s", volumeName, why.get());
                writes.updateClaimStatus(claim, "Pending", null);
                return Result.requeueAfter(RESYNC);
            }
            bind(volume, claim);
            return Result.done();
        }
        if (VolumeAnnotations.isBoundToClaim(volume, claim)) {
            bind(volume, claim);
            return Result.done();
        }
        if (!VolumeAnnotations.has(claim, VolumeAnnotations.BOUND_BY_CONTROLLER)) {
            events.warning(claim, "FailedBinding", "volume \"%s\" already bound to a different claim.", volumeName);
            writes.updateClaimStatus(claim, "Pending", null);
            return Result.requeueAfter(RESYNC);
        }
        throw new IllegalStateException("Invalid binding of claim \"" + claim.getMetadata().getNamespace() + "/"
                + claim.getMetadata().getName() + "\" to volume \"" + volumeName + "\": volume already claimed by \""
                + volume.getSpec().getClaimRef().getNamespace() + "/" + volume.getSpec().getClaimRef().getName() + "\"");
    }

    private Result syncUnboundWithoutVolumeName(PersistentVolumeClaim claim) {
        if (claim.getSpec().getStorageClassName() == null
                && !VolumeAnnotations.has(claim, VolumeAnnotations.BETA_STORAGE_CLASS)) {
            // a claim created before a default class existed gets it now (RetroactiveDefaultStorageClass)
            Optional<StorageClass> def = defaultClass();
            if (def.isPresent()) {
                PersistentVolumeClaim changed = new PersistentVolumeClaimBuilder(claim)
                        .editSpec().withStorageClassName(def.get().getMetadata().getName()).endSpec().build();
                context.client().persistentVolumeClaims().inNamespace(claim.getMetadata().getNamespace())
                        .resource(changed).update();
                return Result.done(); // the update brings the claim back
            }
        }
        String className = VolumeAnnotations.claimClass(claim);
        StorageClass storageClass = className.isEmpty() ? null : informers.get(StorageClass.class, className);
        boolean delayBinding = storageClass != null
                && VolumeAnnotations.WAIT_FOR_FIRST_CONSUMER.equals(storageClass.getVolumeBindingMode());
        Optional<PersistentVolume> match = VolumeMatcher.bestMatch(claim, informers.list(PersistentVolume.class), delayBinding);
        if (match.isPresent()) {
            bind(match.get(), claim);
            return Result.done();
        }
        if (delayBinding && !VolumeAnnotations.has(claim, VolumeAnnotations.SELECTED_NODE)) {
            events.normal(claim, "WaitForFirstConsumer", WAIT_FOR_FIRST_CONSUMER_MESSAGE);
        } else if (!className.isEmpty()) {
            claim = provision(claim, className, storageClass);
        } else {
            events.normal(claim, "FailedBinding", NO_STORAGE_CLASS_MESSAGE);
        }
        writes.updateClaimStatus(claim, "Pending", null);
        return Result.requeueAfter(RESYNC);
    }

    /**
     * Every provisioner is external here: the claim is annotated with the class's provisioner, which
     * watches for such claims and creates the volume; the volume sync then binds it.
     */
    private PersistentVolumeClaim provision(PersistentVolumeClaim claim, String className, StorageClass storageClass) {
        if (storageClass == null) {
            events.warning(claim, "ProvisioningFailed", "storageclass.storage.k8s.io \"%s\" not found", className);
            return claim;
        }
        String provisioner = storageClass.getProvisioner();
        if (provisioner.startsWith("kubernetes.io/")) {
            // in-tree plugins (and kubernetes.io/no-provisioner) do not exist here
            events.warning(claim, "ProvisioningFailed", "no volume plugin matched name: %s", provisioner);
            return claim;
        }
        if (!provisioner.equals(VolumeAnnotations.annotation(claim, VolumeAnnotations.STORAGE_PROVISIONER))
                || !provisioner.equals(VolumeAnnotations.annotation(claim, VolumeAnnotations.BETA_STORAGE_PROVISIONER))) {
            claim = context.client().persistentVolumeClaims().inNamespace(claim.getMetadata().getNamespace())
                    .resource(new PersistentVolumeClaimBuilder(claim).editMetadata()
                            .addToAnnotations(VolumeAnnotations.STORAGE_PROVISIONER, provisioner)
                            .addToAnnotations(VolumeAnnotations.BETA_STORAGE_PROVISIONER, provisioner)
                            .endMetadata().build())
                    .update();
        }
        events.normal(claim, "ExternalProvisioning", "Waiting for a volume to be created either by the external "
                + "provisioner '%s' or manually by the system administrator. If volume creation is delayed, please "
                + "verify that the provisioner is running and correctly registered.", provisioner);
        return claim;
    }

    private void syncBound(PersistentVolumeClaim claim) {
        String volumeName = claim.getSpec().getVolumeName();
        if (volumeName == null || volumeName.isEmpty()) {
            writes.updateClaimStatusWithEvent(claim, "Lost", null, EventRecorder.WARNING, "ClaimLost",
                    "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!");
            return;
        }
        PersistentVolume volume = informers.get(PersistentVolume.class, volumeName);
        if (volume == null) {
            // the cache may lag behind a volume just created: ask the API before declaring the claim Lost
            volume = context.client().persistentVolumes().withName(volumeName).get();
        }
        if (volume == null) {
            writes.updateClaimStatusWithEvent(claim, "Lost", null, EventRecorder.WARNING, "ClaimLost",
                    "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
            return;
        }
        var ref = volume.getSpec().getClaimRef();
        if (ref == null || Objects.equals(ref.getUid(), claim.getMetadata().getUid())) {
            bind(volume, claim); // re-establishes a lost claimRef; writes nothing when all is in order
            return;
        }
        writes.updateClaimStatusWithEvent(claim, "Lost", null, EventRecorder.WARNING, "ClaimMisbound",
                "Two claims are bound to the same volume, this one is bound incorrectly");
    }

    /** Binds both sides, each write only when needed: volume claimRef, volume phase, claim volumeName, claim status. */
    private void bind(PersistentVolume volume, PersistentVolumeClaim claim) {
        volume = bindVolumeToClaim(volume, claim);
        volume = writes.updateVolumePhase(volume, "Bound", "");
        claim = bindClaimToVolume(claim, volume);
        writes.updateClaimStatus(claim, "Bound", volume);
    }

    private PersistentVolume bindVolumeToClaim(PersistentVolume volume, PersistentVolumeClaim claim) {
        boolean shouldBind = !VolumeAnnotations.isBoundToClaim(volume, claim);
        var ref = volume.getSpec().getClaimRef();
        boolean dirty = false;
        PersistentVolumeBuilder b = new PersistentVolumeBuilder(volume);
        if (ref == null || !Objects.equals(ref.getName(), claim.getMetadata().getName())
                || !Objects.equals(ref.getNamespace(), claim.getMetadata().getNamespace())
                || !Objects.equals(ref.getUid(), claim.getMetadata().getUid())) {
            b.editSpec().withClaimRef(new ObjectReferenceBuilder()
                    .withKind("PersistentVolumeClaim")
                    .withApiVersion("v1")
                    .withNamespace(claim.getMetadata().getNamespace())
                    .withName(claim.getMetadata().getName())
                    .withUid(claim.getMetadata().getUid())
                    .withResourceVersion(claim.getMetadata().getResourceVersion())
                    .build()).endSpec();
            dirty = true;
        }
        if (shouldBind && !VolumeAnnotations.has(volume, VolumeAnnotations.BOUND_BY_CONTROLLER)) {
            b.editMetadata().addToAnnotations(VolumeAnnotations.BOUND_BY_CONTROLLER, "yes").endMetadata();
            dirty = true;
        }
        if (!dirty) {
            return volume;
        }
        return context.client().persistentVolumes().resource(b.build()).update();
    }

    private PersistentVolumeClaim bindClaimToVolume(PersistentVolumeClaim claim, PersistentVolume volume) {
        Map<String, String> annotations = claim.getMetadata().getAnnotations() == null ? new HashMap<>()
                : new HashMap<>(claim.getMetadata().getAnnotations());
        boolean dirty = false;
        PersistentVolumeClaimBuilder b = new PersistentVolumeClaimBuilder(claim);
        if (!volume.getMetadata().getName().equals(claim.getSpec().getVolumeName())) {
            b.editSpec().withVolumeName(volume.getMetadata().getName()).endSpec();
            annotations.putIfAbsent(VolumeAnnotations.BOUND_BY_CONTROLLER, "yes");
            dirty = true;
        }
        if (annotations.putIfAbsent(VolumeAnnotations.BIND_COMPLETED, "yes") == null) {
            dirty = true;
        }
        if (!dirty) {
            return claim;
        }
        return context.client().persistentVolumeClaims().inNamespace(claim.getMetadata().getNamespace())
                .resource(b.editMetadata().withAnnotations(annotations).endMetadata().build()).update();
    }

    /** The default class as Kubernetes picks it: the newest class marked default, then by name. */
    private Optional<StorageClass> defaultClass() {
        return informers.list(StorageClass.class).stream()
                .filter(VolumeAnnotations::isDefaultClass)
                .min(Comparator.comparing((StorageClass sc) -> String.valueOf(sc.getMetadata().getCreationTimestamp()))
                        .reversed()
                        .thenComparing(sc -> sc.getMetadata().getName()));
    }
}
