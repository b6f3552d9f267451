package dev.berth.core.controller.clusterroleaggregation;

import dev.berth.core.api.rbac.Aggregation;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.util.List;

/** Writes an aggregated ClusterRole's rules when they differ from what its selectors pick. */
public final class ClusterRoleAggregationReconciler implements Reconciler<String> {
    private final KubernetesClient client;
    private final Informers informers;

    public ClusterRoleAggregationReconciler(KubernetesClient client, Informers informers) {
        this.client = client;
        this.informers = informers;
    }

    @Override
    public Result reconcile(String name) {
        ClusterRole role = informers.get(ClusterRole.class, name);
        if (role == null || !Aggregation.isAggregated(role)) {
            return Result.done();
        }
        List<PolicyRule> rules = Aggregation.rules(role, informers.list(ClusterRole.class));
        List<PolicyRule> current = role.getRules() == null ? List.of() : role.getRules();
        if (rules.equals(current)) {
            return Result.done();
        }
        ClusterRole updated = new ClusterRoleBuilder(role).withRules(rules).build();
        try {
            client.rbac().clusterRoles().resource(updated).update();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return Result.done();
            }
            throw e;   // 409: the informer has a newer copy coming; retried with backoff
        }
        return Result.done();
    }
}
