package dev.berth.core.controller.job;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.SuccessPolicy;
import io.fabric8.kubernetes.api.model.batch.v1.SuccessPolicyRule;

import java.util.List;
import java.util.Optional;

/**
 * Whether an Indexed Job's {@code spec.successPolicy} is met, as Kubernetes decides it: a rule with
 * only succeededIndexes needs all of them, with only succeededCount that many succeeded indexes,
 * with both that many among the listed ones. The first rule met wins.
 */
final class SuccessPolicies {
    /** The reason of the SuccessCriteriaMet and Complete conditions when a success policy was met. */
    static final String REASON = "SuccessPolicy";

    private SuccessPolicies() {
    }

    /** Kubernetes' message for the first rule met ({@code Matched rules at index N}), or empty. */
    static Optional<String> met(Job job, IndexSet completed, int completions) {
        SuccessPolicy policy = job.getSpec() == null ? null : job.getSpec().getSuccessPolicy();
        if (policy == null || policy.getRules() == null) {
            return Optional.empty();
        }
        List<SuccessPolicyRule> rules = policy.getRules();
        for (int i = 0; i < rules.size(); i++) {
            SuccessPolicyRule rule = rules.get(i);
            Integer count = rule.getSucceededCount();
            if (rule.getSucceededIndexes() != null) {
                IndexSet wanted = IndexSet.parse(rule.getSucceededIndexes(), completions);
                int done = 0;
                for (int ix : wanted.toList()) {
                    if (completed.contains(ix)) done++;
                }
                if (count == null ? done == wanted.size() && wanted.size() > 0 : done >= count) {
                    return Optional.of("Matched rules at index " + i);
                }
            } else if (count != null && completed.size() >= count) {
                return Optional.of("Matched rules at index " + i);
            }
        }
        return Optional.empty();
    }
}
