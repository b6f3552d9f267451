package dev.berth.core.controller.statefulset;

import dev.berth.core.controller.history.ControllerRevisions;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The stable identity of a StatefulSet's pods and claims, and the pod states the controller acts on. */
final class StatefulPods {
    static final String POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
    static final String POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";
    static final String REVISION_LABEL = "controller-revision-hash";

    private static final Pattern ORDINAL = Pattern.compile("^(.*)-([0-9]+)$");

    private StatefulPods() {
    }

    static String podName(StatefulSet sts, int ordinal) {
        return sts.getMetadata().getName() + "-" + ordinal;
    }

    /** The claim of template {@code claimTemplate} for pod {@code ordinal}: TEMPLATE-SET-ORDINAL. */
    static String claimName(String claimTemplate, StatefulSet sts, int ordinal) {
        return claimTemplate + "-" + podName(sts, ordinal);
    }

    /** The ordinal of a pod named SET-N belonging to {@code sts}, or -1. */
    static int ordinal(StatefulSet sts, Pod pod) {
        Matcher m = ORDINAL.matcher(pod.getMetadata().getName());
        if (!m.matches() || !m.group(1).equals(sts.getMetadata().getName())) {
            return -1;
        }
        try {
            return Integer.parseInt(m.group(2));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static List<PersistentVolumeClaim> claimTemplates(StatefulSet sts) {
        return sts.getSpec().getVolumeClaimTemplates() == null ? List.of() : sts.getSpec().getVolumeClaimTemplates();
    }

    /** Pod {@code ordinal} from {@code template} at revision {@code revisionName}. */
    static Pod newPod(StatefulSet sts, PodTemplateSpec template, String revisionName, int ordinal) {
        String name = podName(sts, ordinal);
        Map<String, String> labels = new HashMap<>(template.getMetadata() == null || template.getMetadata().getLabels() == null
                ? Map.of() : template.getMetadata().getLabels());
        labels.put(POD_NAME_LABEL, name);
        labels.put(POD_INDEX_LABEL, Integer.toString(ordinal));
        labels.put(REVISION_LABEL, revisionName);
        PodSpec spec = new PodSpecBuilder(template.getSpec()).build();
        spec.setHostname(name);
        String service = sts.getSpec().getServiceName();
        if (service != null && !service.isEmpty()) {
            spec.setSubdomain(service);
        }
        List<PersistentVolumeClaim> claims = claimTemplates(sts);
        if (!claims.isEmpty()) {
            List<Volume> volumes = new ArrayList<>();
            for (PersistentVolumeClaim c : claims) {
                volumes.add(new VolumeBuilder().withName(c.getMetadata().getName())
                        .withNewPersistentVolumeClaim().withClaimName(claimName(c.getMetadata().getName(), sts, ordinal))
                        .endPersistentVolumeClaim().build());
            }
            if (spec.getVolumes() != null) {
                for (Volume v : spec.getVolumes()) {
                    if (claims.stream().noneMatch(c -> c.getMetadata().getName().equals(v.getName()))) {
                        volumes.add(v);
                    }
                }
            }
            spec.setVolumes(volumes);
        }
        return new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(sts.getMetadata().getNamespace())
                .withLabels(labels)
                .withAnnotations(template.getMetadata() == null ? null : template.getMetadata().getAnnotations())
                .withOwnerReferences(ControllerRevisions.controllerRef(sts))
                .endMetadata()
                .withSpec(spec)
                .build();
    }

    /** The claim for pod {@code ordinal} from a template: the template's labels plus the set's selector labels. */
    static PersistentVolumeClaim newClaim(StatefulSet sts, PersistentVolumeClaim template, int ordinal) {
        Map<String, String> labels = new HashMap<>(template.getMetadata().getLabels() == null
                ? Map.of() : template.getMetadata().getLabels());
        if (sts.getSpec().getSelector() != null && sts.getSpec().getSelector().getMatchLabels() != null) {
            labels.putAll(sts.getSpec().getSelector().getMatchLabels());
        }
        return new PersistentVolumeClaimBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withName(claimName(template.getMetadata().getName(), sts, ordinal))
                        .withNamespace(sts.getMetadata().getNamespace())
                        .withLabels(labels)
                        .withAnnotations(template.getMetadata().getAnnotations())
                        .build())
                .withSpec(template.getSpec())
                .build();
    }

    static String revision(Pod p) {
        return p.getMetadata().getLabels() == null ? null : p.getMetadata().getLabels().get(REVISION_LABEL);
    }

    static boolean isTerminating(Pod p) {
        return p.getMetadata().getDeletionTimestamp() != null;
    }

    static String phase(Pod p) {
        return p.getStatus() == null ? null : p.getStatus().getPhase();
    }

    static boolean isFinished(Pod p) {
        return "Failed".equals(phase(p)) || "Succeeded".equals(phase(p));
    }

    static boolean isRunningAndReady(Pod p) {
        return "Running".equals(phase(p)) && readyCondition(p) != null;
    }

    static boolean isHealthy(Pod p) {
        return p != null && isRunningAndReady(p) && !isTerminating(p);
    }

    static boolean isRunningAndAvailable(Pod p, int minReadySeconds, Instant now) {
        if (!isRunningAndReady(p)) {
            return false;
        }
        return minReadySeconds == 0 || !readySince(p).plusSeconds(minReadySeconds).isAfter(now);
    }

    static Instant readySince(Pod p) {
        PodCondition c = readyCondition(p);
        return c == null || c.getLastTransitionTime() == null ? Instant.EPOCH : Instant.parse(c.getLastTransitionTime());
    }

    private static PodCondition readyCondition(Pod p) {
        if (p.getStatus() == null || p.getStatus().getConditions() == null) {
            return null;
        }
        return p.getStatus().getConditions().stream()
                .filter(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())).findFirst().orElse(null);
    }
}
