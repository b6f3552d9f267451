package dev.berth.core.api.rbac;

import dev.berth.core.apiserver.auth.rbac.BootstrapPolicy;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AggregationTest {
    private static ClusterRole role(String name, Map<String, String> labels, PolicyRule... rules) {
        return new ClusterRoleBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withRules(rules).build();
    }

    private static PolicyRule rule(String resource) {
        return new PolicyRuleBuilder().withApiGroups("").withResources(resource).withVerbs("get").build();
    }

    private static ClusterRole byName(List<ClusterRole> roles, String name) {
        return roles.stream().filter(r -> r.getMetadata().getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void collectsTheRulesOfSelectedRolesByNameEachOnce() {
        List<ClusterRole> all = new ArrayList<>(BootstrapPolicy.clusterRoles());
        all.add(role("z-widgets", Map.of(BootstrapPolicy.AGGREGATE_TO_VIEW, "true"), rule("widgets")));
        all.add(role("a-gadgets", Map.of(BootstrapPolicy.AGGREGATE_TO_VIEW, "true"), rule("gadgets"), rule("gadgets")));
        all.add(role("unlabelled", Map.of(), rule("secrets-of-nobody")));
        settle(all);
        List<PolicyRule> view = byName(all, "view").getRules();
        assertThat(view.getFirst()).isEqualTo(rule("gadgets"));
        assertThat(view.getLast()).isEqualTo(rule("widgets"));
        assertThat(view).doesNotContain(rule("secrets-of-nobody"));
        assertThat(view.stream().filter(r -> r.equals(rule("gadgets")))).hasSize(1);
        // view is labelled for edit, edit for admin: once the controller settles, admin holds view's rules too
        assertThat(byName(all, "admin").getRules()).contains(rule("widgets"))
                .containsAll(byName(all, "system:aggregate-to-edit").getRules());
        assertThat(byName(all, "edit").getRules()).contains(rule("widgets"))
                .doesNotContainAnyElementsOf(byName(all, "system:aggregate-to-admin").getRules());
    }

    /** Reconciles every aggregated role until nothing changes, as the controller's repeated passes do. */
    private static void settle(List<ClusterRole> all) {
        for (boolean changed = true; changed; ) {
            changed = false;
            for (int i = 0; i < all.size(); i++) {
                ClusterRole r = all.get(i);
                if (Aggregation.isAggregated(r)) {
                    List<PolicyRule> rules = Aggregation.rules(r, all);
                    if (!rules.equals(r.getRules())) {
                        all.set(i, new ClusterRoleBuilder(r).withRules(rules).build());
                        changed = true;
                    }
                }
            }
        }
    }

    @Test
    void aRoleWithoutAggregationRuleKeepsItsOwnRules() {
        ClusterRole plain = role("plain", Map.of(), rule("pods"));
        assertThat(Aggregation.isAggregated(plain)).isFalse();
        assertThat(Aggregation.rules(plain, List.of(plain))).containsExactly(rule("pods"));
    }
}
