package dev.berth.core.controller.volume.localpath;

import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.EventRecorder;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import dev.berth.core.controller.volume.persistentvolume.VolumeAnnotations;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.util.Optional;

/**
 * Provisions one claim, as an external provisioner does: only claims the PersistentVolume
 * controller handed to {@code berth.dev/local-path} (through the storage-provisioner annotation),
 * not yet bound, with a node chosen.
 */
final class ProvisionReconciler implements Reconciler<String> {
    private final ControllerContext context;
    private final Informers informers;
    private final EventRecorder events;

    ProvisionReconciler(ControllerContext context) {
        this.context = context;
        this.informers = context.informers();
        this.events = context.events();
    }

    @Override
    public Result reconcile(String key) {
        if (!LocalPathProvisioner.cachesSynced(informers)) {
            return Result.requeueAfter(LocalPathProvisioner.SYNC_WAIT);
        }
        PersistentVolumeClaim claim = informers.get(PersistentVolumeClaim.class, key);
        if (claim == null || claim.getSpec() == null || claim.getMetadata().getDeletionTimestamp() != null) {
            return Result.done();
        }
        String volumeName = claim.getSpec().getVolumeName();
        if (volumeName != null && !volumeName.isEmpty()) {
            return Result.done();
        }
        String asked = VolumeAnnotations.annotation(claim, VolumeAnnotations.STORAGE_PROVISIONER);
        if (asked == null) {
            asked = VolumeAnnotations.annotation(claim, VolumeAnnotations.BETA_STORAGE_PROVISIONER);
        }
        if (!LocalPath.PROVISIONER.equals(asked)) {
            return Result.done();
        }
        String className = VolumeAnnotations.claimClass(claim);
        StorageClass storageClass = informers.get(StorageClass.class, className);
        if (storageClass == null || !LocalPath.PROVISIONER.equals(storageClass.getProvisioner())) {
            return Result.done();
        }
        String node = VolumeAnnotations.annotation(claim, VolumeAnnotations.SELECTED_NODE);
        if (node == null || node.isEmpty()) {
            if (!VolumeAnnotations.WAIT_FOR_FIRST_CONSUMER.equals(storageClass.getVolumeBindingMode())) {
                failed(claim, className, "configuration error, no node was specified: a local-path volume lives on "
                        + "one node, so its class needs volumeBindingMode WaitForFirstConsumer (the scheduler then "
                        + "chooses the node), or the claim the annotation " + VolumeAnnotations.SELECTED_NODE);
            }
            return Result.done(); // WaitForFirstConsumer: the scheduler sets the node
        }
        if (informers.get(PersistentVolume.class, LocalPath.volumeName(claim)) != null) {
            return Result.done(); // provisioned; the PersistentVolume controller binds it
        }
        Optional<String> unsupported = LocalPath.unsupported(claim);
        if (unsupported.isPresent()) {
            failed(claim, className, unsupported.get());
            return Result.done();
        }
        if (informers.get(Node.class, node) == null) {
            failed(claim, className, "failed to get target node: nodes \"" + node + "\" not found");
            return Result.done(); // a node added later brings the claim back
        }
        // the cache may lag behind a volume created by the last pass: ask before creating
        if (context.client().persistentVolumes().withName(LocalPath.volumeName(claim)).get() != null) {
            return Result.done();
        }
        events.normal(claim, "Provisioning", "External provisioner is provisioning volume for claim \"%s/%s\"",
                claim.getMetadata().getNamespace(), claim.getMetadata().getName());
        PersistentVolume volume = LocalPath.volumeFor(claim, storageClass, node);
        try {
            context.client().persistentVolumes().resource(volume).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return Result.done();
            }
            failed(claim, className, e.getMessage());
            throw e;
        }
        events.normal(claim, "ProvisioningSucceeded", "Successfully provisioned volume %s", volume.getMetadata().getName());
        return Result.done();
    }

    private void failed(PersistentVolumeClaim claim, String className, String why) {
        events.warning(claim, "ProvisioningFailed", "failed to provision volume with StorageClass \"%s\": %s", className, why);
    }
}
