package dev.berth.core.controller.job;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicy;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyOnExitCodesRequirement;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyOnPodConditionsPattern;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a Job's {@code spec.podFailurePolicy} says about one failed pod, as Kubernetes' job
 * controller decides it: the rules are tried in order and the first that matches gives the action;
 * a failure no rule matches is counted as usual.
 */
final class PodFailurePolicies {
    static final String FAIL_JOB = "FailJob";
    static final String FAIL_INDEX = "FailIndex";
    static final String IGNORE = "Ignore";
    static final String COUNT = "Count";
    /** The reason of the FailureTarget and Failed conditions when a FailJob rule matched. */
    static final String REASON = "PodFailurePolicy";

    /** The action of the matching rule, with Kubernetes' message naming the pod, the cause and the rule. */
    record Verdict(String action, String message) {
    }

    private PodFailurePolicies() {
    }

    /** The verdict for a failed pod, or empty when the job has no policy or no rule matches (Count). */
    static Optional<Verdict> match(Job job, Pod pod) {
        PodFailurePolicy policy = job.getSpec() == null ? null : job.getSpec().getPodFailurePolicy();
        if (policy == null || policy.getRules() == null) {
            return Optional.empty();
        }
        String podKey = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        List<PodFailurePolicyRule> rules = policy.getRules();
        for (int i = 0; i < rules.size(); i++) {
            PodFailurePolicyRule rule = rules.get(i);
            if (rule.getOnExitCodes() != null) {
                ContainerStatus c = matchingContainer(pod, rule.getOnExitCodes());
                if (c != null) {
                    return Optional.of(new Verdict(rule.getAction(), "Container " + c.getName() + " for pod " + podKey
                            + " failed with exit code " + c.getState().getTerminated().getExitCode() + " matching "
                            + rule.getAction() + " rule at index " + i));
                }
            } else if (rule.getOnPodConditions() != null) {
                PodCondition c = matchingCondition(pod, rule.getOnPodConditions());
                if (c != null) {
                    return Optional.of(new Verdict(rule.getAction(), "Pod " + podKey + " has condition " + c.getType()
                            + " matching " + rule.getAction() + " rule at index " + i));
                }
            }
        }
        return Optional.empty();
    }

    /** The first container (app containers, then init containers) that exited non-zero with a matching code. */
    private static ContainerStatus matchingContainer(Pod pod, PodFailurePolicyOnExitCodesRequirement req) {
        if (pod.getStatus() == null) {
            return null;
        }
        List<ContainerStatus> statuses = new ArrayList<>();
        if (pod.getStatus().getContainerStatuses() != null) statuses.addAll(pod.getStatus().getContainerStatuses());
        if (pod.getStatus().getInitContainerStatuses() != null) statuses.addAll(pod.getStatus().getInitContainerStatuses());
        for (ContainerStatus s : statuses) {
            if (req.getContainerName() != null && !req.getContainerName().equals(s.getName())) {
                continue;
            }
            if (s.getState() == null || s.getState().getTerminated() == null) {
                continue;
            }
            Integer code = s.getState().getTerminated().getExitCode();
            if (code == null || code == 0) {
                continue;
            }
            boolean in = req.getValues() != null && req.getValues().contains(code);
            if ("In".equals(req.getOperator()) ? in : "NotIn".equals(req.getOperator()) && !in) {
                return s;
            }
        }
        return null;
    }

    private static PodCondition matchingCondition(Pod pod, List<PodFailurePolicyOnPodConditionsPattern> patterns) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return null;
        }
        for (PodFailurePolicyOnPodConditionsPattern p : patterns) {
            String wanted = p.getStatus() == null ? "True" : p.getStatus();
            for (PodCondition c : pod.getStatus().getConditions()) {
                if (c.getType() != null && c.getType().equals(p.getType()) && wanted.equals(c.getStatus())) {
                    return c;
                }
            }
        }
        return null;
    }
}
