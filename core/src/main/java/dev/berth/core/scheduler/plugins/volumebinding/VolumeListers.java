package dev.berth.core.scheduler.plugins.volumebinding;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;

import java.util.List;

/** Read-only views of the claims, volumes and classes the plugin decides on (informer caches). */
public interface VolumeListers {
    PersistentVolumeClaim claim(String namespace, String name);

    PersistentVolume volume(String name);

    List<PersistentVolume> volumes();

    StorageClass storageClass(String name);
}
