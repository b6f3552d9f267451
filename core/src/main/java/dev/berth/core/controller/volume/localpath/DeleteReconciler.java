package dev.berth.core.controller.volume.localpath;

import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import dev.berth.core.controller.volume.persistentvolume.VolumeAnnotations;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Deletes a volume this provisioner created once the PersistentVolume controller has released it
 * and its reclaim policy is Delete. The directory on the node is the node agent's to remove.
 */
final class DeleteReconciler implements Reconciler<String> {
    private final ControllerContext context;
    private final Informers informers;

    DeleteReconciler(ControllerContext context) {
        this.context = context;
        this.informers = context.informers();
    }

    @Override
    public Result reconcile(String key) {
        if (!LocalPathProvisioner.cachesSynced(informers)) {
            return Result.requeueAfter(LocalPathProvisioner.SYNC_WAIT);
        }
        PersistentVolume volume = informers.get(PersistentVolume.class, key);
        if (!shouldDelete(volume)) {
            return Result.done();
        }
        try {
            context.client().persistentVolumes().withName(volume.getMetadata().getName()).delete();
        } catch (KubernetesClientException e) {
            context.events().warning(volume, "VolumeFailedDelete", "%s", e.getMessage());
            throw e;
        }
        return Result.done();
    }

    static boolean shouldDelete(PersistentVolume volume) {
        return volume != null && volume.getSpec() != null
                && volume.getMetadata().getDeletionTimestamp() == null
                && LocalPath.PROVISIONER.equals(VolumeAnnotations.annotation(volume, VolumeAnnotations.PROVISIONED_BY))
                && "Delete".equals(volume.getSpec().getPersistentVolumeReclaimPolicy())
                && volume.getStatus() != null && "Released".equals(volume.getStatus().getPhase());
    }
}
