package dev.berth.core.api.rbac;

import dev.berth.core.api.labels.LabelSelector;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * ClusterRole aggregation as Kubernetes' clusterrole-aggregation controller computes it: for each
 * of the aggregationRule's selectors in order, the ClusterRoles it selects sorted by name (the role
 * itself excluded) contribute their rules, each rule once.
 */
public final class Aggregation {
    private Aggregation() {}

    public static boolean isAggregated(ClusterRole role) {
        return role.getAggregationRule() != null && role.getAggregationRule().getClusterRoleSelectors() != null
                && !role.getAggregationRule().getClusterRoleSelectors().isEmpty();
    }

    /** The rules {@code role} should hold, from {@code all} ClusterRoles. */
    public static List<PolicyRule> rules(ClusterRole role, Collection<ClusterRole> all) {
        List<PolicyRule> rules = new ArrayList<>();
        if (!isAggregated(role)) {
            return role.getRules() == null ? rules : new ArrayList<>(role.getRules());
        }
        List<ClusterRole> sorted = all.stream().sorted(Comparator.comparing(r -> r.getMetadata().getName())).toList();
        for (io.fabric8.kubernetes.api.model.LabelSelector s : role.getAggregationRule().getClusterRoleSelectors()) {
            LabelSelector selector = LabelSelector.from(s);
            for (ClusterRole other : sorted) {
                if (other.getMetadata().getName().equals(role.getMetadata().getName())) {
                    continue;
                }
                Map<String, String> labels = other.getMetadata().getLabels() == null ? Map.of()
                        : other.getMetadata().getLabels();
                if (!selector.matches(labels) || other.getRules() == null) {
                    continue;
                }
                for (PolicyRule r : other.getRules()) {
                    if (!rules.contains(r)) {
                        rules.add(r);
                    }
                }
            }
        }
        return rules;
    }
}
