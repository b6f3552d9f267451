package dev.berth.core.api.validation;

import dev.berth.core.api.FieldError;
import dev.berth.core.api.labels.LabelSelector;
import dev.berth.core.api.labels.Labels;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetSpec;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import static dev.berth.core.api.validation.Check.isEmpty;
import static dev.berth.core.api.validation.Check.list;

/** Workload controllers: Deployment, ReplicaSet, ReplicationController, DaemonSet, StatefulSet. */
final class AppsValidation {
    private AppsValidation() {}

    static final String SELECTOR_MISMATCH = "`selector` does not match template `labels`";

    /** selector required, valid, non-empty, and selecting the template's labels. */
    static void selector(List<FieldError> errs, io.fabric8.kubernetes.api.model.LabelSelector selector,
                         PodTemplateSpec template, String kind) {
        if (selector == null) {
            errs.add(FieldError.required("spec.selector", ""));
            return;
        }
        List<FieldError> selectorErrs = LabelSelector.validate(selector, "spec.selector");
        errs.addAll(selectorErrs);
        boolean empty = Check.map(selector.getMatchLabels()).isEmpty() && list(selector.getMatchExpressions()).isEmpty();
        if (empty) {
            errs.add(FieldError.invalid("spec.selector", Check.render(selector), "empty selector is invalid for " + kind));
            return;
        }
        if (!selectorErrs.isEmpty() || template == null) return;
        Map<String, String> labels = template.getMetadata() == null ? null : template.getMetadata().getLabels();
        try {
            if (!LabelSelector.from(selector).matches(labels)) {
                errs.add(FieldError.invalid("spec.template.metadata.labels", Check.render(Check.map(labels)), SELECTOR_MISMATCH));
            }
        } catch (RuntimeException e) {
            // selector errors are reported above
        }
    }

    /** A template of pods that run forever: restartPolicy Always and no activeDeadlineSeconds. */
    static void foreverTemplate(List<FieldError> errs, PodTemplateSpec template, String owner) {
        PodValidation.template(errs, template, "spec.template");
        if (template == null || template.getSpec() == null) return;
        String rp = template.getSpec().getRestartPolicy();
        if (!isEmpty(rp) && !"Always".equals(rp)) {
            errs.add(FieldError.notSupported("spec.template.spec.restartPolicy", rp, List.of("Always")));
        }
        if (template.getSpec().getActiveDeadlineSeconds() != null) {
            errs.add(FieldError.forbidden("spec.template.spec.activeDeadlineSeconds",
                    "activeDeadlineSeconds in " + owner + " is not Supported"));
        }
    }

    private static void maxUnavailableAndSurge(List<FieldError> errs, IntOrString maxUnavailable, IntOrString maxSurge,
                                               String path, String bothZeroMessage) {
        Check.intOrPercent(errs, path + ".maxUnavailable", maxUnavailable);
        Check.intOrPercent(errs, path + ".maxSurge", maxSurge);
        if (Check.percentOf(maxUnavailable) > 100) {
            errs.add(FieldError.invalid(path + ".maxUnavailable", Check.render(maxUnavailable), "must not be greater than 100%"));
        }
        if (Check.isZero(maxSurge) && Check.isZero(maxUnavailable)) {
            errs.add(FieldError.invalid(path + ".maxUnavailable", Check.render(maxUnavailable), bothZeroMessage));
        }
    }

    static void deployment(List<FieldError> errs, Deployment d) {
        var spec = d.getSpec();
        if (spec == null) {
            errs.add(FieldError.required("spec", ""));
            return;
        }
        Check.nonNegative(errs, "spec.replicas", spec.getReplicas());
        selector(errs, spec.getSelector(), spec.getTemplate(), "deployment");
        foreverTemplate(errs, spec.getTemplate(), "Deployment");
        var strategy = spec.getStrategy();
        if (strategy != null) {
            String type = strategy.getType();
            if ("Recreate".equals(type)) {
                if (strategy.getRollingUpdate() != null) {
                    errs.add(FieldError.forbidden("spec.strategy.rollingUpdate",
                            "may not be specified when strategy `type` is 'Recreate'"));
                }
            } else if ("RollingUpdate".equals(type)) {
                if (strategy.getRollingUpdate() == null) {
                    errs.add(FieldError.required("spec.strategy.rollingUpdate", "this should be defaulted and never be nil"));
                } else {
                    maxUnavailableAndSurge(errs, strategy.getRollingUpdate().getMaxUnavailable(),
                            strategy.getRollingUpdate().getMaxSurge(), "spec.strategy.rollingUpdate",
                            "may not be 0 when `maxSurge` is 0");
                }
            } else {
                Check.oneOf(errs, "spec.strategy.type", type, List.of("Recreate", "RollingUpdate"));
            }
        }
        Check.nonNegative(errs, "spec.revisionHistoryLimit", spec.getRevisionHistoryLimit());
        Check.nonNegative(errs, "spec.minReadySeconds", spec.getMinReadySeconds());
        if (spec.getProgressDeadlineSeconds() != null) {
            Check.nonNegative(errs, "spec.progressDeadlineSeconds", spec.getProgressDeadlineSeconds());
            int minReady = spec.getMinReadySeconds() == null ? 0 : spec.getMinReadySeconds();
            if (spec.getProgressDeadlineSeconds() <= minReady) {
                errs.add(FieldError.invalid("spec.progressDeadlineSeconds", spec.getProgressDeadlineSeconds(),
                        "must be greater than minReadySeconds"));
            }
        }
    }

    static void replicaSet(List<FieldError> errs, ReplicaSet rs) {
        var spec = rs.getSpec();
        if (spec == null) {
            errs.add(FieldError.required("spec", ""));
            return;
        }
        Check.nonNegative(errs, "spec.replicas", spec.getReplicas());
        Check.nonNegative(errs, "spec.minReadySeconds", spec.getMinReadySeconds());
        // Kubernetes words this one "for deployment" for ReplicaSets too
        selector(errs, spec.getSelector(), spec.getTemplate(), "deployment");
        foreverTemplate(errs, spec.getTemplate(), "ReplicaSet");
    }

    static void replicationController(List<FieldError> errs, ReplicationController rc) {
        var spec = rc.getSpec();
        if (spec == null) {
            errs.add(FieldError.required("spec", ""));
            return;
        }
        Check.nonNegative(errs, "spec.replicas", spec.getReplicas());
        Check.nonNegative(errs, "spec.minReadySeconds", spec.getMinReadySeconds());
        Map<String, String> selector = spec.getSelector();
        if (selector == null || selector.isEmpty()) {
            errs.add(FieldError.required("spec.selector", ""));
        } else {
            errs.addAll(Labels.validate(selector, "spec.selector"));
        }
        if (spec.getTemplate() == null) {
            errs.add(FieldError.required("spec.template", ""));
            return;
        }
        if (selector != null && !selector.isEmpty()) {
            Map<String, String> labels = spec.getTemplate().getMetadata() == null ? null
                    : spec.getTemplate().getMetadata().getLabels();
            boolean matches = selector.entrySet().stream()
                    .allMatch(e -> labels != null && Objects.equals(labels.get(e.getKey()), e.getValue()));
            if (!matches) {
                errs.add(FieldError.invalid("spec.template.metadata.labels", Check.render(Check.map(labels)), SELECTOR_MISMATCH));
            }
        }
        foreverTemplate(errs, spec.getTemplate(), "ReplicationController");
    }

    static void daemonSet(List<FieldError> errs, DaemonSet ds) {
        var spec = ds.getSpec();
        if (spec == null) {
            errs.add(FieldError.required("spec", ""));
            return;
        }
        selector(errs, spec.getSelector(), spec.getTemplate(), "daemonset");
        foreverTemplate(errs, spec.getTemplate(), "DaemonSet");
        Check.nonNegative(errs, "spec.minReadySeconds", spec.getMinReadySeconds());
        Check.nonNegative(errs, "spec.revisionHistoryLimit", spec.getRevisionHistoryLimit());
        var strategy = spec.getUpdateStrategy();
        if (strategy != null) {
            Check.oneOf(errs, "spec.updateStrategy.type", strategy.getType(), List.of("OnDelete", "RollingUpdate"));
            if ("RollingUpdate".equals(strategy.getType())) {
                if (strategy.getRollingUpdate() == null) {
                    errs.add(FieldError.required("spec.updateStrategy.rollingUpdate", ""));
                } else {
                    maxUnavailableAndSurge(errs, strategy.getRollingUpdate().getMaxUnavailable(),
                            strategy.getRollingUpdate().getMaxSurge(), "spec.updateStrategy.rollingUpdate",
                            "cannot be 0 when maxSurge is 0");
                }
            }
        }
    }

    static void statefulSet(List<FieldError> errs, StatefulSet sts) {
        StatefulSetSpec spec = sts.getSpec();
        if (spec == null) {
            errs.add(FieldError.required("spec", ""));
            return;
        }
        Check.oneOf(errs, "spec.podManagementPolicy", spec.getPodManagementPolicy(), List.of("OrderedReady", "Parallel"));
        var strategy = spec.getUpdateStrategy();
        if (strategy != null) {
            Check.oneOf(errs, "spec.updateStrategy.type", strategy.getType(), List.of("OnDelete", "RollingUpdate"));
            if ("OnDelete".equals(strategy.getType()) && strategy.getRollingUpdate() != null) {
                errs.add(FieldError.invalid("spec.updateStrategy.rollingUpdate", Check.render(strategy.getRollingUpdate()),
                        "only allowed for updateStrategy 'RollingUpdate'"));
            }
            if (strategy.getRollingUpdate() != null) {
                Check.nonNegative(errs, "spec.updateStrategy.rollingUpdate.partition", strategy.getRollingUpdate().getPartition());
                IntOrString mu = strategy.getRollingUpdate().getMaxUnavailable();
                if (mu != null) {
                    Check.intOrPercent(errs, "spec.updateStrategy.rollingUpdate.maxUnavailable", mu);
                    if (Check.isZero(mu)) {
                        errs.add(FieldError.invalid("spec.updateStrategy.rollingUpdate.maxUnavailable", Check.render(mu),
                                "must be greater than 0"));
                    }
                }
            }
        }
        var retention = spec.getPersistentVolumeClaimRetentionPolicy();
        if (retention != null) {
            Check.oneOf(errs, "spec.persistentVolumeClaimRetentionPolicy.whenDeleted", retention.getWhenDeleted(), List.of("Delete", "Retain"));
            Check.oneOf(errs, "spec.persistentVolumeClaimRetentionPolicy.whenScaled", retention.getWhenScaled(), List.of("Delete", "Retain"));
        }
        if (spec.getOrdinals() != null) Check.nonNegative(errs, "spec.ordinals.start", spec.getOrdinals().getStart());
        Check.nonNegative(errs, "spec.replicas", spec.getReplicas());
        Check.nonNegative(errs, "spec.minReadySeconds", spec.getMinReadySeconds());
        Check.nonNegative(errs, "spec.revisionHistoryLimit", spec.getRevisionHistoryLimit());
        if (!isEmpty(spec.getServiceName())) {
            Check.each(errs, "spec.serviceName", spec.getServiceName(), dev.berth.core.api.labels.Names.dns1123Label(spec.getServiceName()));
        }
        selector(errs, spec.getSelector(), spec.getTemplate(), "statefulset");
        var templates = list(spec.getVolumeClaimTemplates());
        foreverTemplate(errs, withClaimVolumes(spec.getTemplate(), templates), "StatefulSet");
        for (int i = 0; i < templates.size(); i++) {
            String p = "spec.volumeClaimTemplates[" + i + "]";
            var t = templates.get(i);
            if (t.getMetadata() == null || isEmpty(t.getMetadata().getName())) {
                errs.add(FieldError.required(p + ".metadata.name", ""));
            } else {
                Check.each(errs, p + ".metadata.name", t.getMetadata().getName(),
                        dev.berth.core.api.labels.Names.dns1123Subdomain(t.getMetadata().getName()));
            }
            if (t.getSpec() == null) errs.add(FieldError.required(p + ".spec", ""));
            else StorageValidation.claimSpec(errs, t.getSpec(), p + ".spec");
        }
    }

    /** The pod template as the pods will have it: each volumeClaimTemplate becomes a volume of the same name. */
    private static PodTemplateSpec withClaimVolumes(PodTemplateSpec template,
                                                    List<io.fabric8.kubernetes.api.model.PersistentVolumeClaim> claims) {
        if (template == null || template.getSpec() == null || claims.isEmpty()) return template;
        PodTemplateSpec copy = new io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder(template).build();
        List<io.fabric8.kubernetes.api.model.Volume> volumes = new java.util.ArrayList<>(list(copy.getSpec().getVolumes()));
        for (var claim : claims) {
            if (claim.getMetadata() == null || isEmpty(claim.getMetadata().getName())) continue;
            var volume = new io.fabric8.kubernetes.api.model.Volume();
            volume.setName(claim.getMetadata().getName());
            volume.setPersistentVolumeClaim(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimVolumeSource(
                    claim.getMetadata().getName(), false));
            volumes.add(volume);
        }
        copy.getSpec().setVolumes(volumes);
        return copy;
    }

    // ---- updates ---------------------------------------------------------------------------------

    static void selectorImmutable(List<FieldError> errs, Object selector, Object oldSelector) {
        // compare as Kubernetes would: an empty list or map is the same as none
        boolean same = selector instanceof io.fabric8.kubernetes.api.model.LabelSelector a
                && oldSelector instanceof io.fabric8.kubernetes.api.model.LabelSelector b
                ? Check.goSelector(a).equals(Check.goSelector(b)) : Check.same(selector, oldSelector);
        if (!same) {
            errs.add(FieldError.invalid("spec.selector", Check.render(selector), Check.IMMUTABLE));
        }
    }

    static final String STS_UPDATE_MESSAGE = "updates to statefulset spec for fields other than 'replicas', 'ordinals', "
            + "'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and "
            + "'minReadySeconds' are forbidden";

    static void statefulSetUpdate(List<FieldError> errs, StatefulSet sts, StatefulSet old) {
        if (sts.getSpec() == null || old.getSpec() == null) return;
        StatefulSetSpec a = new io.fabric8.kubernetes.api.model.apps.StatefulSetSpecBuilder(old.getSpec()).build();
        StatefulSetSpec n = sts.getSpec();
        a.setReplicas(n.getReplicas());
        a.setOrdinals(n.getOrdinals());
        a.setTemplate(n.getTemplate());
        a.setUpdateStrategy(n.getUpdateStrategy());
        a.setRevisionHistoryLimit(n.getRevisionHistoryLimit());
        a.setPersistentVolumeClaimRetentionPolicy(n.getPersistentVolumeClaimRetentionPolicy());
        a.setMinReadySeconds(n.getMinReadySeconds());
        if (!Check.same(a, n)) errs.add(FieldError.forbidden("spec", STS_UPDATE_MESSAGE));
    }
}
