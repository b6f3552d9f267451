package dev.berth.core.scheduler.plugins.volumebinding;

import dev.berth.core.scheduler.framework.ClusterSnapshot;
import dev.berth.core.scheduler.framework.CycleState;
import dev.berth.core.scheduler.framework.FilterPlugin;
import dev.berth.core.scheduler.framework.NodeInfo;
import dev.berth.core.scheduler.framework.PodInfo;
import dev.berth.core.scheduler.framework.PreFilterPlugin;
import dev.berth.core.scheduler.framework.Resources;
import dev.berth.core.scheduler.framework.Status;
import dev.berth.core.scheduler.plugins.nodeaffinity.NodeAffinity;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.TopologySelectorLabelRequirement;
import io.fabric8.kubernetes.api.model.TopologySelectorTerm;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The pod's PersistentVolumeClaims: bound claims keep the pod on nodes their volume's node
 * affinity allows (a local-path volume pins its node); unbound claims of a WaitForFirstConsumer
 * class are decided with the node: dynamically provisioned ones get the annotation
 * {@value #SELECTED_NODE_ANNOTATION} (the provisioner then creates the volume there), those of a
 * class without provisioner are bound to an available volume that fits the node.
 */
public final class VolumeBinding implements PreFilterPlugin, FilterPlugin {
    public static final String NAME = "VolumeBinding";
    public static final String ERR_REASON_NODE_CONFLICT = "node(s) had volume node affinity conflict";
    public static final String ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
    public static final String ERR_REASON_UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims";
    public static final String SELECTED_NODE_ANNOTATION = "volume.kubernetes.io/selected-node";
    public static final String WAIT_FOR_FIRST_CONSUMER = "WaitForFirstConsumer";
    public static final String NO_PROVISIONER = "kubernetes.io/no-provisioner";

    private static final String STATE = NAME + "/prefilter";

    private final VolumeListers listers;

    /** What PreFilter found: volumes already bound, and claims that wait for the node. */
    record Claims(List<PersistentVolume> bound, List<PersistentVolumeClaim> delayed, List<StorageClass> classes) {
    }

    private VolumeBinding(VolumeListers listers) {
        this.listers = listers;
    }

    public static VolumeBinding create(VolumeListers listers) {
        return new VolumeBinding(listers);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The claim names the pod's volumes use: persistentVolumeClaim, and generic ephemeral volumes (POD-VOLUME). */
    public static List<String> claimNames(io.fabric8.kubernetes.api.model.Pod pod) {
        List<String> names = new ArrayList<>();
        if (pod.getSpec().getVolumes() == null) {
            return names;
        }
        for (Volume v : pod.getSpec().getVolumes()) {
            if (v.getPersistentVolumeClaim() != null) {
                names.add(v.getPersistentVolumeClaim().getClaimName());
            } else if (v.getEphemeral() != null) {
                names.add(pod.getMetadata().getName() + "-" + v.getName());
            }
        }
        return names;
    }

    @Override
    public Status preFilter(CycleState state, PodInfo pod, ClusterSnapshot cluster) {
        List<String> names = claimNames(pod.pod());
        if (names.isEmpty()) {
            state.put(STATE, null);
            return Status.SUCCESS;
        }
        List<PersistentVolume> bound = new ArrayList<>();
        List<PersistentVolumeClaim> delayed = new ArrayList<>();
        List<StorageClass> classes = new ArrayList<>();
        for (String name : names) {
            PersistentVolumeClaim claim = listers.claim(pod.namespace(), name);
            if (claim == null) {
                return Status.unresolvable(NAME, "persistentvolumeclaim \"" + name + "\" not found");
            }
            if (claim.getMetadata().getDeletionTimestamp() != null) {
                return Status.unresolvable(NAME, "persistentvolumeclaim \"" + name + "\" is being deleted");
            }
            String volumeName = claim.getSpec().getVolumeName();
            if (volumeName != null && !volumeName.isEmpty()) {
                PersistentVolume pv = listers.volume(volumeName);
                if (pv == null) {
                    return Status.unresolvable(NAME, "pvc " + name + " bound to non-existent pv " + volumeName);
                }
                bound.add(pv);
                continue;
            }
            String className = claim.getSpec().getStorageClassName();
            StorageClass sc = className == null || className.isEmpty() ? null : listers.storageClass(className);
            if (sc == null || !WAIT_FOR_FIRST_CONSUMER.equals(sc.getVolumeBindingMode())) {
                return Status.unresolvable(NAME, ERR_REASON_UNBOUND_IMMEDIATE);
            }
            delayed.add(claim);
            classes.add(sc);
        }
        state.put(STATE, new Claims(bound, delayed, classes));
        return Status.SUCCESS;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        Claims claims = state.get(STATE);
        if (claims == null) {
            return Status.SUCCESS;
        }
        for (PersistentVolume pv : claims.bound()) {
            if (!volumeFits(pv, node.node())) {
                return Status.unresolvable(NAME, ERR_REASON_NODE_CONFLICT);
            }
        }
        for (int i = 0; i < claims.delayed().size(); i++) {
            if (!canProvisionOrBind(claims.delayed().get(i), claims.classes().get(i), node.node())) {
                return Status.unresolvable(NAME, ERR_REASON_BIND_CONFLICT);
            }
        }
        return Status.SUCCESS;
    }

    /** A volume without node affinity fits everywhere; otherwise one of its required terms must match. */
    public static boolean volumeFits(PersistentVolume pv, Node node) {
        if (pv.getSpec().getNodeAffinity() == null || pv.getSpec().getNodeAffinity().getRequired() == null) {
            return true;
        }
        return NodeAffinity.matchesAnyTerm(pv.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms(), node);
    }

    private boolean canProvisionOrBind(PersistentVolumeClaim claim, StorageClass sc, Node node) {
        if (NO_PROVISIONER.equals(sc.getProvisioner())) {
            return availableVolume(claim, node) != null;
        }
        return allowedTopology(sc.getAllowedTopologies(), node.getMetadata().getLabels());
    }

    /** No allowedTopologies allows every node; otherwise one term's label requirements must all hold. */
    public static boolean allowedTopology(List<TopologySelectorTerm> terms, Map<String, String> labels) {
        if (terms == null || terms.isEmpty()) {
            return true;
        }
        Map<String, String> l = labels == null ? Map.of() : labels;
        for (TopologySelectorTerm t : terms) {
            boolean all = true;
            for (TopologySelectorLabelRequirement r : t.getMatchLabelExpressions() == null
                    ? List.<TopologySelectorLabelRequirement>of() : t.getMatchLabelExpressions()) {
                if (!r.getValues().contains(l.get(r.getKey()))) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    /** The smallest Available volume of the claim's class, large enough, unclaimed, that fits the node. */
    PersistentVolume availableVolume(PersistentVolumeClaim claim, Node node) {
        long wanted = claim.getSpec().getResources() == null ? 0
                : Resources.amount(claim.getSpec().getResources().getRequests(), "storage");
        PersistentVolume best = null;
        long bestSize = Long.MAX_VALUE;
        for (PersistentVolume pv : listers.volumes()) {
            if (pv.getSpec().getClaimRef() != null
                    || !String.valueOf(claim.getSpec().getStorageClassName()).equals(pv.getSpec().getStorageClassName())
                    || pv.getMetadata().getDeletionTimestamp() != null
                    || (pv.getStatus() != null && pv.getStatus().getPhase() != null && !"Available".equals(pv.getStatus().getPhase()))) {
                continue;
            }
            long size = Resources.amount(pv.getSpec().getCapacity(), "storage");
            List<String> modes = claim.getSpec().getAccessModes();
            if (size < wanted || (modes != null && pv.getSpec().getAccessModes() != null
                    && !pv.getSpec().getAccessModes().containsAll(modes))) {
                continue;
            }
            if (volumeFits(pv, node) && size < bestSize) {
                best = pv;
                bestSize = size;
            }
        }
        return best;
    }

    /**
     * After the node is chosen and before the pod is bound: annotates claims to provision with the
     * node, binds claims of classes without provisioner to a volume there. Runs off the
     * scheduling thread.
     */
    public void preBind(CycleState state, PodInfo pod, Node node, KubernetesClient client) {
        Claims claims = state.get(STATE);
        if (claims == null) {
            return;
        }
        String nodeName = node.getMetadata().getName();
        for (int i = 0; i < claims.delayed().size(); i++) {
            PersistentVolumeClaim claim = claims.delayed().get(i);
            StorageClass sc = claims.classes().get(i);
            var claims0 = client.persistentVolumeClaims().inNamespace(claim.getMetadata().getNamespace())
                    .withName(claim.getMetadata().getName());
            if (NO_PROVISIONER.equals(sc.getProvisioner())) {
                PersistentVolume pv = availableVolume(claim, node);
                if (pv == null) {
                    throw new IllegalStateException("no available persistent volume for claim "
                            + claim.getMetadata().getName() + " on node " + nodeName);
                }
                PersistentVolume claimed = new PersistentVolumeBuilder(pv).editSpec().withNewClaimRef()
                        .withKind("PersistentVolumeClaim").withApiVersion("v1")
                        .withNamespace(claim.getMetadata().getNamespace()).withName(claim.getMetadata().getName())
                        .withUid(claim.getMetadata().getUid()).withResourceVersion(claim.getMetadata().getResourceVersion())
                        .endClaimRef().endSpec().build();
                client.persistentVolumes().resource(claimed).update();
            } else {
                Map<String, String> ann = claim.getMetadata().getAnnotations();
                if (ann != null && nodeName.equals(ann.get(SELECTED_NODE_ANNOTATION))) {
                    continue;
                }
                claims0.edit(c -> new PersistentVolumeClaimBuilder(c).editMetadata()
                        .addToAnnotations(SELECTED_NODE_ANNOTATION, nodeName).endMetadata().build());
            }
        }
    }
}
