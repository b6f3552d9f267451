package dev.berth.core.api.validation;

import dev.berth.core.api.FieldError;
import dev.berth.core.api.labels.LabelSelector;
import dev.berth.core.api.labels.Labels;
import dev.berth.core.api.labels.Names;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static dev.berth.core.api.validation.Check.isEmpty;
import static dev.berth.core.api.validation.Check.list;

/** PersistentVolume, PersistentVolumeClaim, StorageClass. */
final class StorageValidation {
    private StorageValidation() {}

    static final List<String> ACCESS_MODES = List.of("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod");

    private static void accessModes(List<FieldError> errs, List<String> modes, String path, String requiredDetail) {
        if (modes.isEmpty()) {
            errs.add(FieldError.required(path, requiredDetail));
            return;
        }
        for (String m : modes) {
            if (!ACCESS_MODES.contains(m)) errs.add(FieldError.notSupported(path, m, ACCESS_MODES));
        }
        if (modes.contains("ReadWriteOncePod") && modes.size() > 1) {
            errs.add(FieldError.forbidden(path, "may not use ReadWriteOncePod with other access modes"));
        }
    }

    static void claimSpec(List<FieldError> errs, PersistentVolumeClaimSpec spec, String path) {
        accessModes(errs, list(spec.getAccessModes()), path + ".accessModes", "at least 1 access mode is required");
        if (spec.getSelector() != null) errs.addAll(LabelSelector.validate(spec.getSelector(), path + ".selector"));
        Map<String, Quantity> requests = spec.getResources() == null ? Map.of() : Check.map(spec.getResources().getRequests());
        Quantity storage = requests.get("storage");
        if (storage == null) {
            errs.add(FieldError.required(path + ".resources[storage]", ""));
        } else {
            BigDecimal a = Check.quantity(errs, path + ".resources.requests[storage]", storage);
            if (a != null && a.signum() <= 0) {
                errs.add(FieldError.invalid(path + ".resources.requests[storage]", storage.toString(), Check.NOT_POSITIVE));
            }
        }
        if (spec.getResources() != null) {
            for (var e : Check.map(spec.getResources().getLimits()).entrySet()) {
                Check.nonNegativeQuantity(errs, path + ".resources.limits[" + e.getKey() + "]", e.getValue());
            }
        }
        if (!isEmpty(spec.getStorageClassName())) {
            Check.each(errs, path + ".storageClassName", spec.getStorageClassName(), Names.dns1123Subdomain(spec.getStorageClassName()));
        }
        Check.oneOfIfSet(errs, path + ".volumeMode", spec.getVolumeMode(), List.of("Block", "Filesystem"));
        if (spec.getDataSource() != null) {
            if (isEmpty(spec.getDataSource().getName())) errs.add(FieldError.required(path + ".dataSource.name", ""));
            if (isEmpty(spec.getDataSource().getKind())) errs.add(FieldError.required(path + ".dataSource.kind", ""));
        }
    }

    static void pvc(List<FieldError> errs, PersistentVolumeClaim pvc) {
        if (pvc.getSpec() == null) {
            errs.add(FieldError.required("spec", ""));
            return;
        }
        claimSpec(errs, pvc.getSpec(), "spec");
    }

    static void pvcUpdate(List<FieldError> errs, PersistentVolumeClaim pvc, PersistentVolumeClaim old) {
        PersistentVolumeClaimSpec spec = pvc.getSpec();
        PersistentVolumeClaimSpec oldSpec = old.getSpec();
        if (spec == null || oldSpec == null) return;
        PersistentVolumeClaimSpec a = new io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpecBuilder(oldSpec).build();
        if (isEmpty(oldSpec.getVolumeName())) a.setVolumeName(spec.getVolumeName());
        if (oldSpec.getStorageClassName() == null) a.setStorageClassName(spec.getStorageClassName());
        boolean bound = old.getStatus() != null && "Bound".equals(old.getStatus().getPhase());
        if (bound) {
            if (a.getResources() != null && spec.getResources() != null) {
                a.getResources().setRequests(spec.getResources().getRequests());
            }
            a.setVolumeAttributesClassName(spec.getVolumeAttributesClassName());
        }
        if (!Check.same(a, spec)) {
            errs.add(FieldError.forbidden("spec", bound
                    ? "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"
                    : "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"));
        }
        BigDecimal now = storageOf(spec);
        BigDecimal before = storageOf(oldSpec);
        if (now != null && before != null && now.compareTo(before) < 0) {
            errs.add(FieldError.forbidden("spec.resources.requests.storage", "field can not be less than previous value"));
        }
    }

    private static BigDecimal storageOf(PersistentVolumeClaimSpec spec) {
        return spec.getResources() == null ? null : Check.amount(Check.map(spec.getResources().getRequests()).get("storage"));
    }

    static void pv(List<FieldError> errs, PersistentVolume pv) {
        PersistentVolumeSpec spec = pv.getSpec();
        if (spec == null) {
            errs.add(FieldError.required("spec", ""));
            return;
        }
        accessModes(errs, list(spec.getAccessModes()), "spec.accessModes", "");
        Map<String, Quantity> capacity = Check.map(spec.getCapacity());
        if (capacity.isEmpty()) {
            errs.add(FieldError.required("spec.capacity", ""));
        } else {
            if (!capacity.containsKey("storage") || capacity.size() > 1) {
                errs.add(FieldError.notSupported("spec.capacity", String.join(", ", capacity.keySet()), List.of("storage")));
            }
            for (var e : capacity.entrySet()) {
                BigDecimal a = Check.quantity(errs, "spec.capacity[" + e.getKey() + "]", e.getValue());
                if (a != null && a.signum() <= 0) {
                    errs.add(FieldError.invalid("spec.capacity[" + e.getKey() + "]", e.getValue().toString(), Check.NOT_POSITIVE));
                }
            }
        }
        Check.oneOfIfSet(errs, "spec.persistentVolumeReclaimPolicy", spec.getPersistentVolumeReclaimPolicy(),
                List.of("Delete", "Recycle", "Retain"));
        Check.oneOfIfSet(errs, "spec.volumeMode", spec.getVolumeMode(), List.of("Block", "Filesystem"));
        if (!isEmpty(spec.getStorageClassName())) {
            Check.each(errs, "spec.storageClassName", spec.getStorageClassName(), Names.dns1123Subdomain(spec.getStorageClassName()));
        }
        Map<String, Object> sources = new LinkedHashMap<>();
        sources.put("hostPath", spec.getHostPath());
        sources.put("gcePersistentDisk", spec.getGcePersistentDisk());
        sources.put("awsElasticBlockStore", spec.getAwsElasticBlockStore());
        sources.put("glusterfs", spec.getGlusterfs());
        sources.put("nfs", spec.getNfs());
        sources.put("rbd", spec.getRbd());
        sources.put("quobyte", spec.getQuobyte());
        sources.put("cinder", spec.getCinder());
        sources.put("cephfs", spec.getCephfs());
        sources.put("fc", spec.getFc());
        sources.put("flocker", spec.getFlocker());
        sources.put("flexVolume", spec.getFlexVolume());
        sources.put("azureFile", spec.getAzureFile());
        sources.put("vsphereVolume", spec.getVsphereVolume());
        sources.put("azureDisk", spec.getAzureDisk());
        sources.put("photonPersistentDisk", spec.getPhotonPersistentDisk());
        sources.put("portworxVolume", spec.getPortworxVolume());
        sources.put("scaleIO", spec.getScaleIO());
        sources.put("local", spec.getLocal());
        sources.put("storageos", spec.getStorageos());
        sources.put("csi", spec.getCsi());
        sources.put("iscsi", spec.getIscsi());
        int n = 0;
        for (var e : sources.entrySet()) {
            if (e.getValue() != null && ++n > 1) {
                errs.add(FieldError.forbidden("spec." + e.getKey(), "may not specify more than 1 volume type"));
            }
        }
        if (n == 0) errs.add(FieldError.required("spec", "must specify a volume type"));
        if (spec.getHostPath() != null) {
            if (isEmpty(spec.getHostPath().getPath())) errs.add(FieldError.required("spec.hostPath.path", ""));
            else if ("/".equals(spec.getHostPath().getPath()) && "Recycle".equals(spec.getPersistentVolumeReclaimPolicy())) {
                errs.add(FieldError.forbidden("spec.persistentVolumeReclaimPolicy", "may not be 'recycle' for a hostPath mount of '/'"));
            }
        }
        if (spec.getLocal() != null) {
            if (isEmpty(spec.getLocal().getPath())) errs.add(FieldError.required("spec.local.path", ""));
            if (spec.getNodeAffinity() == null) errs.add(FieldError.required("spec.nodeAffinity", "Local volume requires node affinity"));
        }
        if (spec.getNfs() != null) {
            if (isEmpty(spec.getNfs().getServer())) errs.add(FieldError.required("spec.nfs.server", ""));
            if (isEmpty(spec.getNfs().getPath())) errs.add(FieldError.required("spec.nfs.path", ""));
        }
        if (spec.getCsi() != null) {
            if (isEmpty(spec.getCsi().getDriver())) errs.add(FieldError.required("spec.csi.driver", ""));
            if (isEmpty(spec.getCsi().getVolumeHandle())) errs.add(FieldError.required("spec.csi.volumeHandle", ""));
        }
        if (spec.getNodeAffinity() != null && spec.getNodeAffinity().getRequired() != null) {
            var terms = list(spec.getNodeAffinity().getRequired().getNodeSelectorTerms());
            if (terms.isEmpty()) {
                errs.add(FieldError.required("spec.nodeAffinity.required.nodeSelectorTerms", "must have at least one node selector term"));
            }
            for (int i = 0; i < terms.size(); i++) {
                PodValidation.nodeSelectorTerm(errs, terms.get(i), "spec.nodeAffinity.required.nodeSelectorTerms[" + i + "]");
            }
        }
    }

    static void pvUpdate(List<FieldError> errs, PersistentVolume pv, PersistentVolume old) {
        PersistentVolumeSpec spec = pv.getSpec();
        PersistentVolumeSpec oldSpec = old.getSpec();
        if (spec == null || oldSpec == null) return;
        PersistentVolumeSpec a = new io.fabric8.kubernetes.api.model.PersistentVolumeSpecBuilder(oldSpec).build();
        PersistentVolumeSpec b = new io.fabric8.kubernetes.api.model.PersistentVolumeSpecBuilder(spec).build();
        // the fields outside the volume source may change
        for (PersistentVolumeSpec s : List.of(a, b)) {
            s.setAccessModes(null);
            s.setCapacity(null);
            s.setClaimRef(null);
            s.setMountOptions(null);
            s.setPersistentVolumeReclaimPolicy(null);
            s.setStorageClassName(null);
            s.setVolumeMode(null);
            s.setNodeAffinity(null);
            s.setVolumeAttributesClassName(null);
        }
        if (!Check.same(a, b)) {
            errs.add(FieldError.forbidden("spec.persistentvolumesource", "spec.persistentvolumesource is immutable after creation"));
        }
        Check.immutable(errs, "spec.volumeMode", spec.getVolumeMode(), oldSpec.getVolumeMode());
        if (oldSpec.getNodeAffinity() != null) {
            Check.immutable(errs, "spec.nodeAffinity", spec.getNodeAffinity(), oldSpec.getNodeAffinity());
        }
    }

    static void storageClass(List<FieldError> errs, StorageClass sc) {
        if (isEmpty(sc.getProvisioner())) {
            errs.add(FieldError.required("provisioner", ""));
        } else {
            if (sc.getProvisioner().length() > Names.DNS1123_SUBDOMAIN_MAX) {
                errs.add(FieldError.tooLong("provisioner", sc.getProvisioner(), Names.DNS1123_SUBDOMAIN_MAX));
            }
            Check.each(errs, "provisioner", sc.getProvisioner(), Names.qualifiedName(sc.getProvisioner().toLowerCase(java.util.Locale.ROOT)));
        }
        long size = 0;
        for (var e : Check.map(sc.getParameters()).entrySet()) {
            if (isEmpty(e.getKey())) errs.add(FieldError.invalid("parameters", e.getKey(), "field can not be empty."));
            size += e.getKey().length() + (e.getValue() == null ? 0 : e.getValue().length());
        }
        if (size > Names.TOTAL_ANNOTATION_SIZE_LIMIT) errs.add(FieldError.tooLong("parameters", "", Names.TOTAL_ANNOTATION_SIZE_LIMIT));
        Check.oneOfIfSet(errs, "reclaimPolicy", sc.getReclaimPolicy(), List.of("Delete", "Retain"));
        Check.oneOf(errs, "volumeBindingMode", sc.getVolumeBindingMode(), List.of("Immediate", "WaitForFirstConsumer"));
        var topologies = list(sc.getAllowedTopologies());
        for (int i = 0; i < topologies.size(); i++) {
            var exprs = list(topologies.get(i).getMatchLabelExpressions());
            String p = "allowedTopologies[" + i + "]";
            if (exprs.isEmpty()) errs.add(FieldError.required(p + ".matchLabelExpressions", "must have at least one label expression"));
            for (int j = 0; j < exprs.size(); j++) {
                errs.addAll(Labels.validateKey(exprs.get(j).getKey(), p + ".matchLabelExpressions[" + j + "].key"));
                if (list(exprs.get(j).getValues()).isEmpty()) {
                    errs.add(FieldError.required(p + ".matchLabelExpressions[" + j + "].values", "must specify as least one value"));
                }
            }
        }
    }

    static void storageClassUpdate(List<FieldError> errs, StorageClass sc, StorageClass old) {
        if (!Objects.equals(Check.map(sc.getParameters()), Check.map(old.getParameters()))) {
            errs.add(FieldError.forbidden("parameters", "updates to parameters are forbidden."));
        }
        if (!Objects.equals(sc.getProvisioner(), old.getProvisioner())) {
            errs.add(FieldError.forbidden("provisioner", "updates to provisioner are forbidden."));
        }
        if (!Objects.equals(sc.getReclaimPolicy(), old.getReclaimPolicy())) {
            errs.add(FieldError.forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
        }
        Check.immutable(errs, "volumeBindingMode", sc.getVolumeBindingMode(), old.getVolumeBindingMode());
    }
}
