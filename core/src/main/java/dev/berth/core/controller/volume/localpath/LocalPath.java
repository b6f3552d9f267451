package dev.berth.core.controller.volume.localpath;

import dev.berth.core.controller.volume.persistentvolume.VolumeAnnotations;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The names and the volume the local-path provisioner writes: pure functions. */
public final class LocalPath {
    private LocalPath() {
    }

    /** The provisioner name classes use to ask for local-path volumes. */
    public static final String PROVISIONER = "berth.dev/local-path";
    /** The default class created at bootstrap. */
    public static final String CLASS_NAME = "local-path";
    /** Where volumes live on a node; the node agent creates and removes the directories. */
    public static final String STORAGE_ROOT = "/var/lib/berth/storage";
    /** The node label volumes are pinned to, as Kubernetes' well-known label. */
    public static final String HOSTNAME_LABEL = "kubernetes.io/hostname";
    /** Records the node on the volume too, as k3s's provisioner does. */
    public static final String SELECTED_NODE_ANNOTATION = "local.path.provisioner/selected-node";

    /** {@code pvc-<claim uid>}, as Kubernetes names provisioned volumes. */
    public static String volumeName(PersistentVolumeClaim claim) {
        return "pvc-" + claim.getMetadata().getUid();
    }

    /** {@code /var/lib/berth/storage/pvc-<uid>_<namespace>_<claim name>}, k3s's layout. */
    public static String path(PersistentVolumeClaim claim) {
        return STORAGE_ROOT + "/" + volumeName(claim) + "_" + claim.getMetadata().getNamespace() + "_"
                + claim.getMetadata().getName();
    }

    /** Why this provisioner cannot serve the claim, or empty when it can. */
    public static Optional<String> unsupported(PersistentVolumeClaim claim) {
        var spec = claim.getSpec();
        if (spec.getSelector() != null) {
            return Optional.of("claim Selector is not supported");
        }
        if ("Block".equals(spec.getVolumeMode())) {
            return Optional.of("spec.volumeMode: Unsupported value: \"Block\": local-path volumes are directories; use Filesystem");
        }
        List<String> modes = spec.getAccessModes() == null ? List.of() : spec.getAccessModes();
        for (String m : modes) {
            if (!"ReadWriteOnce".equals(m) && !"ReadWriteOncePod".equals(m)) {
                return Optional.of("spec.accessModes: Unsupported value: \"" + m
                        + "\": local-path volumes live on one node and support only ReadWriteOnce and ReadWriteOncePod");
            }
        }
        Quantity storage = spec.getResources() == null || spec.getResources().getRequests() == null ? null
                : spec.getResources().getRequests().get("storage");
        if (storage == null) {
            return Optional.of("spec.resources.requests.storage: Required value: the volume's capacity comes from the claim");
        }
        return Optional.empty();
    }

    /**
     * The volume for a claim on a node: named {@code pvc-<uid>}, a hostPath directory
     * (DirectoryOrCreate) pinned to the node by required node affinity, the claim's capacity, access
     * modes and volume mode, the class's reclaim policy and mount options, and a claimRef to the
     * claim so that the PersistentVolume controller binds the two.
     */
    public static PersistentVolume volumeFor(PersistentVolumeClaim claim, StorageClass storageClass, String node) {
        var spec = claim.getSpec();
        String reclaim = storageClass.getReclaimPolicy() == null || storageClass.getReclaimPolicy().isEmpty()
                ? "Delete" : storageClass.getReclaimPolicy();
        return new PersistentVolumeBuilder()
                .withNewMetadata()
                .withName(volumeName(claim))
                .addToAnnotations(VolumeAnnotations.PROVISIONED_BY, PROVISIONER)
                .addToAnnotations(SELECTED_NODE_ANNOTATION, node)
                .endMetadata()
                .withNewSpec()
                .withCapacity(Map.of("storage", spec.getResources().getRequests().get("storage")))
                .withAccessModes(new ArrayList<>(spec.getAccessModes() == null ? List.of() : spec.getAccessModes()))
                .withVolumeMode(spec.getVolumeMode() == null ? "Filesystem" : spec.getVolumeMode())
                .withStorageClassName(storageClass.getMetadata().getName())
                .withPersistentVolumeReclaimPolicy(reclaim)
                .withMountOptions(storageClass.getMountOptions() == null || storageClass.getMountOptions().isEmpty()
                        ? null : new ArrayList<>(storageClass.getMountOptions()))
                .withNewHostPath().withPath(path(claim)).withType("DirectoryOrCreate").endHostPath()
                .withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm().addNewMatchExpression()
                .withKey(HOSTNAME_LABEL).withOperator("In").withValues(node)
                .endMatchExpression().endNodeSelectorTerm().endRequired().endNodeAffinity()
                .withNewClaimRef()
                .withKind("PersistentVolumeClaim")
                .withApiVersion("v1")
                .withNamespace(claim.getMetadata().getNamespace())
                .withName(claim.getMetadata().getName())
                .withUid(claim.getMetadata().getUid())
                .withResourceVersion(claim.getMetadata().getResourceVersion())
                .endClaimRef()
                .endSpec()
                .build();
    }
}
