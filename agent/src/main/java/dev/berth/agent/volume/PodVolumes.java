package dev.berth.agent.volume;

import io.fabric8.kubernetes.api.model.Pod;

import java.nio.file.Path;
import java.util.Map;

/**
 * The volumes of pods on this node, as host directories (or files) to bind into containers.
 * {@link #setUp} is idempotent and called on every sync of a pod: it creates what is missing and
 * refreshes configMap, secret, downwardAPI and projected contents when their sources changed
 * (atomically, through a {@code ..data} symlink as kubelet does, so readers never see half a
 * update). A volume that cannot be set up yet (a missing ConfigMap that is not optional) throws
 * {@link VolumeException} naming the volume and the reason; the pod worker reports it as an
 * event and retries.
 */
public interface PodVolumes {
    /** Host path of each of the pod's volumes by volume name. */
    Map<String, Path> setUp(Pod pod);

    /** Removes everything kept for the pod (emptyDir contents, projected files); not PV data. */
    void tearDown(String podUid);

    /** The pods that have volume directories on this node (to clean up orphans after a restart). */
    java.util.Set<String> podUidsOnDisk();

    /**
     * Whether every mount of the volume must be read-only whatever the volumeMount says, as
     * kubelet mounts them: configMap, secret, downwardAPI and projected volumes always, a
     * persistentVolumeClaim when its source says {@code readOnly: true}. False for a name the pod
     * does not have.
     */
    static boolean forcedReadOnly(Pod pod, String volumeName) {
        if (pod.getSpec() == null || pod.getSpec().getVolumes() == null) {
            return false;
        }
        for (io.fabric8.kubernetes.api.model.Volume v : pod.getSpec().getVolumes()) {
            if (volumeName.equals(v.getName())) {
                return v.getConfigMap() != null || v.getSecret() != null || v.getDownwardAPI() != null
                        || v.getProjected() != null
                        || (v.getPersistentVolumeClaim() != null
                        && Boolean.TRUE.equals(v.getPersistentVolumeClaim().getReadOnly()));
            }
        }
        return false;
    }

    /**
     * The host path to bind for a volumeMount's {@code subPath}: resolved through symlinks, and it
     * must stay inside the volume (a link out of it, or {@code ..}, is refused, so a container
     * cannot make a later mount reach the node's files). A missing subPath is created as a
     * directory, as kubelet does. The result is a fixed file or directory: unlike the volume, a
     * subPath mount does not see later configMap or secret updates.
     *
     * @throws VolumeException naming the subPath and the rule it breaks
     */
    static java.nio.file.Path resolveSubPath(java.nio.file.Path volume, String subPath) {
        return SubPaths.resolve(volume, subPath);
    }
}
