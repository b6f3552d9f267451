package dev.berth.core.api.validation;

import dev.berth.core.api.FieldError;
import dev.berth.core.api.labels.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;

import static dev.berth.core.api.validation.Check.isEmpty;

/** Job and CronJob. */
final class BatchValidation {
    private BatchValidation() {}

    static final int CRONJOB_NAME_MAX = 52;

    static void job(List<FieldError> errs, Job job) {
        JobSpec spec = job.getSpec();
        if (spec == null) {
            errs.add(FieldError.required("spec", ""));
            return;
        }
        if (spec.getSelector() == null) {
            errs.add(FieldError.required("spec.selector", ""));
        } else {
            List<FieldError> selectorErrs = LabelSelector.validate(spec.getSelector(), "spec.selector");
            errs.addAll(selectorErrs);
            if (selectorErrs.isEmpty() && spec.getTemplate() != null) {
                var labels = spec.getTemplate().getMetadata() == null ? null : spec.getTemplate().getMetadata().getLabels();
                if (!LabelSelector.from(spec.getSelector()).matches(labels)) {
                    errs.add(FieldError.invalid("spec.template.metadata.labels", Check.render(Check.map(labels)),
                            AppsValidation.SELECTOR_MISMATCH));
                }
            }
        }
        jobSpec(errs, spec, "spec");
    }

    /** The parts of a JobSpec checked both in a Job and in a CronJob's jobTemplate. */
    static void jobSpec(List<FieldError> errs, JobSpec spec, String path) {
        Check.nonNegative(errs, path + ".parallelism", spec.getParallelism());
        Check.nonNegative(errs, path + ".completions", spec.getCompletions());
        Check.nonNegative(errs, path + ".activeDeadlineSeconds", spec.getActiveDeadlineSeconds());
        Check.nonNegative(errs, path + ".backoffLimit", spec.getBackoffLimit());
        Check.nonNegative(errs, path + ".ttlSecondsAfterFinished", spec.getTtlSecondsAfterFinished());
        Check.nonNegative(errs, path + ".backoffLimitPerIndex", spec.getBackoffLimitPerIndex());
        Check.oneOfIfSet(errs, path + ".completionMode", spec.getCompletionMode(), List.of("Indexed", "NonIndexed"));
        if ("Indexed".equals(spec.getCompletionMode())) {
            if (spec.getCompletions() == null) {
                errs.add(FieldError.required(path + ".completions", "when completion mode is Indexed"));
            }
        } else {
            if (spec.getBackoffLimitPerIndex() != null) {
                errs.add(FieldError.forbidden(path + ".backoffLimitPerIndex", "requires indexed completion mode"));
            }
            if (spec.getSuccessPolicy() != null) {
                errs.add(FieldError.invalid(path + ".successPolicy", Check.render(spec.getSuccessPolicy()),
                        "requires indexed completion mode"));
            }
        }
        Check.oneOfIfSet(errs, path + ".podReplacementPolicy", spec.getPodReplacementPolicy(), List.of("Failed", "TerminatingOrFailed"));
        if (spec.getPodFailurePolicy() != null) {
            var rules = Check.list(spec.getPodFailurePolicy().getRules());
            for (int i = 0; i < rules.size(); i++) {
                var rule = rules.get(i);
                String p = path + ".podFailurePolicy.rules[" + i + "]";
                Check.oneOf(errs, p + ".action", rule.getAction(), List.of("Count", "FailIndex", "FailJob", "Ignore"));
                boolean exit = rule.getOnExitCodes() != null;
                boolean cond = !Check.list(rule.getOnPodConditions()).isEmpty();
                if (exit == cond) {
                    errs.add(FieldError.invalid(p, "", "specifying one of OnExitCodes and OnPodConditions is required"));
                }
                if (exit) {
                    Check.oneOf(errs, p + ".onExitCodes.operator", rule.getOnExitCodes().getOperator(), List.of("In", "NotIn"));
                }
            }
        }
        template(errs, spec.getTemplate(), path + ".template");
    }

    private static void template(List<FieldError> errs, PodTemplateSpec template, String path) {
        PodValidation.template(errs, template, path);
        if (template == null || template.getSpec() == null) return;
        String rp = template.getSpec().getRestartPolicy();
        if (!"OnFailure".equals(rp) && !"Never".equals(rp) && !isEmpty(rp)) {
            errs.add(FieldError.notSupported(path + ".spec.restartPolicy", rp, List.of("OnFailure", "Never")));
        }
    }

    static void jobUpdate(List<FieldError> errs, Job job, Job old) {
        JobSpec spec = job.getSpec();
        JobSpec oldSpec = old.getSpec();
        if (spec == null || oldSpec == null) return;
        AppsValidation.selectorImmutable(errs, spec.getSelector(), oldSpec.getSelector());
        boolean suspended = Boolean.TRUE.equals(oldSpec.getSuspend());
        boolean neverStarted = old.getStatus() == null || old.getStatus().getStartTime() == null;
        if (!Check.same(spec.getTemplate(), oldSpec.getTemplate())) {
            // a suspended Job that never started may change its template's scheduling directives
            if (!(suspended && neverStarted && onlySchedulingChanged(spec.getTemplate(), oldSpec.getTemplate()))) {
                errs.add(FieldError.invalid("spec.template", Check.render(spec.getTemplate()), Check.IMMUTABLE));
            }
        }
        if (!"Indexed".equals(spec.getCompletionMode()) || !Objects.equals(spec.getCompletions(), spec.getParallelism())) {
            Check.immutable(errs, "spec.completions", spec.getCompletions(), oldSpec.getCompletions());
        }
        Check.immutable(errs, "spec.completionMode", spec.getCompletionMode(), oldSpec.getCompletionMode());
        Check.immutable(errs, "spec.podFailurePolicy", spec.getPodFailurePolicy(), oldSpec.getPodFailurePolicy());
        Check.immutable(errs, "spec.backoffLimitPerIndex", spec.getBackoffLimitPerIndex(), oldSpec.getBackoffLimitPerIndex());
        Check.immutable(errs, "spec.manualSelector", spec.getManualSelector(), oldSpec.getManualSelector());
    }

    private static boolean onlySchedulingChanged(PodTemplateSpec n, PodTemplateSpec o) {
        if (n == null || o == null || n.getSpec() == null || o.getSpec() == null) return false;
        var copy = new io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder(o).build();
        copy.getSpec().setNodeSelector(n.getSpec().getNodeSelector());
        copy.getSpec().setAffinity(n.getSpec().getAffinity());
        copy.getSpec().setTolerations(n.getSpec().getTolerations());
        copy.getSpec().setSchedulingGates(n.getSpec().getSchedulingGates());
        if (copy.getMetadata() != null && n.getMetadata() != null) {
            copy.getMetadata().setLabels(n.getMetadata().getLabels());
            copy.getMetadata().setAnnotations(n.getMetadata().getAnnotations());
        }
        return Check.same(copy, n);
    }

    static void cronJob(List<FieldError> errs, CronJob cj) {
        if (cj.getMetadata() != null && cj.getMetadata().getName() != null
                && cj.getMetadata().getName().length() > CRONJOB_NAME_MAX) {
            errs.add(FieldError.invalid("metadata.name", cj.getMetadata().getName(),
                    "must be no more than " + CRONJOB_NAME_MAX + " characters"));
        }
        var spec = cj.getSpec();
        if (spec == null) {
            errs.add(FieldError.required("spec", ""));
            return;
        }
        if (isEmpty(spec.getSchedule())) {
            errs.add(FieldError.required("spec.schedule", ""));
        } else {
            try {
                CronSchedule.parse(spec.getSchedule());
            } catch (IllegalArgumentException e) {
                errs.add(FieldError.invalid("spec.schedule", spec.getSchedule(), e.getMessage()));
            }
        }
        if (spec.getTimeZone() != null) {
            String tz = spec.getTimeZone();
            boolean ok = !tz.isEmpty() && !tz.equalsIgnoreCase("local");
            if (ok) {
                try {
                    ZoneId.of(tz);
                } catch (DateTimeException e) {
                    ok = false;
                }
            }
            if (!ok) errs.add(FieldError.invalid("spec.timeZone", tz, "unknown time zone " + tz));
        }
        Check.oneOf(errs, "spec.concurrencyPolicy", spec.getConcurrencyPolicy(), List.of("Allow", "Forbid", "Replace"));
        Check.nonNegative(errs, "spec.startingDeadlineSeconds", spec.getStartingDeadlineSeconds());
        Check.nonNegative(errs, "spec.successfulJobsHistoryLimit", spec.getSuccessfulJobsHistoryLimit());
        Check.nonNegative(errs, "spec.failedJobsHistoryLimit", spec.getFailedJobsHistoryLimit());
        if (spec.getJobTemplate() == null || spec.getJobTemplate().getSpec() == null) {
            errs.add(FieldError.required("spec.jobTemplate.spec", ""));
            return;
        }
        var jobSpec = spec.getJobTemplate().getSpec();
        if (jobSpec.getSelector() != null) {
            errs.addAll(LabelSelector.validate(jobSpec.getSelector(), "spec.jobTemplate.spec.selector"));
        }
        jobSpec(errs, jobSpec, "spec.jobTemplate.spec");
    }
}
