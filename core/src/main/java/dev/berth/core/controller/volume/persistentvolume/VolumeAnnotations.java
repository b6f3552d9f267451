package dev.berth.core.controller.volume.persistentvolume;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;

/**
 * The annotations and small rules the PersistentVolume controller and provisioners share, named
 * as Kubernetes names them ({@code k8s.io/component-helpers/storage/volume}).
 */
public final class VolumeAnnotations {
    private VolumeAnnotations() {
    }

    /** On a claim: the controller finished binding it (the claim side is authoritative from then on). */
    public static final String BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
    /** On a claim or volume: the controller, not the user, set {@code volumeName} or {@code claimRef}. */
    public static final String BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
    /** On a volume: the provisioner that created it (and must delete it). */
    public static final String PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";
    /** On a claim: the provisioner asked to create its volume. */
    public static final String STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner";
    public static final String BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner";
    /** On a claim: the node the scheduler chose for the first pod using it (WaitForFirstConsumer). */
    public static final String SELECTED_NODE = "volume.kubernetes.io/selected-node";
    /** The class annotation that predates {@code storageClassName}; it wins when present. */
    public static final String BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class";
    public static final String IS_DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class";
    public static final String BETA_IS_DEFAULT_CLASS = "storageclass.beta.kubernetes.io/is-default-class";

    public static final String WAIT_FOR_FIRST_CONSUMER = "WaitForFirstConsumer";

    public static String annotation(HasMetadata obj, String key) {
        Map<String, String> a = obj.getMetadata().getAnnotations();
        return a == null ? null : a.get(key);
    }

    public static boolean has(HasMetadata obj, String key) {
        Map<String, String> a = obj.getMetadata().getAnnotations();
        return a != null && a.containsKey(key);
    }

    /** The claim's class: the beta annotation, else {@code spec.storageClassName}, else "". */
    public static String claimClass(PersistentVolumeClaim claim) {
        String beta = annotation(claim, BETA_STORAGE_CLASS);
        if (beta != null) {
            return beta;
        }
        String name = claim.getSpec() == null ? null : claim.getSpec().getStorageClassName();
        return name == null ? "" : name;
    }

    /** The volume's class: the beta annotation, else {@code spec.storageClassName}, else "". */
    public static String volumeClass(PersistentVolume volume) {
        String beta = annotation(volume, BETA_STORAGE_CLASS);
        if (beta != null) {
            return beta;
        }
        String name = volume.getSpec() == null ? null : volume.getSpec().getStorageClassName();
        return name == null ? "" : name;
    }

    /** True when the volume's claimRef names the claim (and, when it carries a uid, the same uid). */
    public static boolean isBoundToClaim(PersistentVolume volume, PersistentVolumeClaim claim) {
        var ref = volume.getSpec() == null ? null : volume.getSpec().getClaimRef();
        if (ref == null) {
            return false;
        }
        if (!Objects.equals(ref.getName(), claim.getMetadata().getName())
                || !Objects.equals(ref.getNamespace(), claim.getMetadata().getNamespace())) {
            return false;
        }
        return ref.getUid() == null || ref.getUid().isEmpty() || ref.getUid().equals(claim.getMetadata().getUid());
    }

    /** The storage a claim requests, zero when it names none. */
    public static BigDecimal requestedStorage(PersistentVolumeClaim claim) {
        if (claim.getSpec() == null || claim.getSpec().getResources() == null
                || claim.getSpec().getResources().getRequests() == null) {
            return BigDecimal.ZERO;
        }
        return bytes(claim.getSpec().getResources().getRequests().get("storage"));
    }

    /** The capacity of a volume, zero when it states none. */
    public static BigDecimal capacity(PersistentVolume volume) {
        if (volume.getSpec() == null || volume.getSpec().getCapacity() == null) {
            return BigDecimal.ZERO;
        }
        return bytes(volume.getSpec().getCapacity().get("storage"));
    }

    private static BigDecimal bytes(Quantity q) {
        return q == null ? BigDecimal.ZERO : q.getNumericalAmount();
    }

    public static boolean isDefaultClass(StorageClass sc) {
        return "true".equals(annotation(sc, IS_DEFAULT_CLASS)) || "true".equals(annotation(sc, BETA_IS_DEFAULT_CLASS));
    }
}
