package dev.berth.core.apiserver.auth.rbac;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.api.Json;
import dev.berth.core.api.rbac.Aggregation;
import dev.berth.core.apiserver.ResourceStorage;
import dev.berth.core.apiserver.TypedCodec;
import dev.berth.core.apiserver.auth.UserInfo;
import dev.berth.core.apiserver.cache.CachedObject;
import dev.berth.core.apiserver.registry.ResourceType;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Creates the {@link BootstrapPolicy} at start and reconciles it as kube-apiserver does: a missing
 * role or binding is created; one whose {@code rbac.authorization.kubernetes.io/autoupdate}
 * annotation is not {@code "false"} gets back the rules, selectors, subjects, labels and annotations
 * it lacks (whatever was added stays); one annotated {@code "false"} is left alone.
 */
public final class PolicyReconciler {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyReconciler.class);

    private final ResourceStorage storage;
    private final ResourceType clusterRoles;
    private final ResourceType clusterRoleBindings;
    private final UserInfo system;

    public PolicyReconciler(ResourceStorage storage, ResourceType clusterRoles, ResourceType clusterRoleBindings,
                            UserInfo system) {
        this.storage = storage;
        this.clusterRoles = clusterRoles;
        this.clusterRoleBindings = clusterRoleBindings;
        this.system = system;
    }

    public void reconcile() {
        Map<String, ClusterRole> all = new LinkedHashMap<>();
        for (CachedObject o : storage.cache().resource(clusterRoles.storage()).list(clusterRoles.keyPrefix())) {
            all.put(o.name(), Json.MAPPER.convertValue(Json.parse(o.json()), ClusterRole.class));
        }
        for (ClusterRole r : BootstrapPolicy.clusterRoles()) {
            all.putIfAbsent(r.getMetadata().getName(), r);
        }
        for (ClusterRole wanted : BootstrapPolicy.clusterRoles()) {
            try {
                reconcileRole(wanted, all);
            } catch (ApiException e) {
                LOG.warn("cannot reconcile ClusterRole {}: {}", wanted.getMetadata().getName(), e.getMessage());
            }
        }
        for (ClusterRoleBinding wanted : BootstrapPolicy.clusterRoleBindings()) {
            try {
                reconcileBinding(wanted);
            } catch (ApiException e) {
                LOG.warn("cannot reconcile ClusterRoleBinding {}: {}", wanted.getMetadata().getName(), e.getMessage());
            }
        }
    }

    private void reconcileRole(ClusterRole wanted, Map<String, ClusterRole> all) {
        String name = wanted.getMetadata().getName();
        CachedObject current = storage.find(clusterRoles, "", name);
        if (current == null) {
            if (Aggregation.isAggregated(wanted)) {
                // filled at once, so that the role works before the aggregation controller runs
                wanted.setRules(Aggregation.rules(wanted, all.values()));
            }
            create(clusterRoles, wanted);
            return;
        }
        ClusterRole existing = Json.MAPPER.convertValue(Json.parse(current.json()), ClusterRole.class);
        if (!autoupdate(existing)) {
            return;
        }
        boolean changed = mergeMetadata(existing, wanted);
        if (Aggregation.isAggregated(wanted)) {
            if (existing.getAggregationRule() == null) {
                existing.setAggregationRule(wanted.getAggregationRule());
                changed = true;
            } else {
                List<LabelSelector> selectors = new ArrayList<>(existing.getAggregationRule().getClusterRoleSelectors());
                for (LabelSelector s : wanted.getAggregationRule().getClusterRoleSelectors()) {
                    if (!selectors.contains(s)) {
                        selectors.add(s);
                        changed = true;
                    }
                }
                existing.getAggregationRule().setClusterRoleSelectors(selectors);
            }
        } else {
            List<PolicyRule> rules = existing.getRules() == null ? new ArrayList<>() : new ArrayList<>(existing.getRules());
            if (!RbacRules.uncovered(rules, wanted.getRules()).isEmpty()) {
                for (PolicyRule r : wanted.getRules()) {
                    if (!rules.contains(r)) {
                        rules.add(r);
                    }
                }
                existing.setRules(rules);
                changed = true;
            }
        }
        if (changed) {
            update(clusterRoles, existing);
        }
    }

    private void reconcileBinding(ClusterRoleBinding wanted) {
        String name = wanted.getMetadata().getName();
        CachedObject current = storage.find(clusterRoleBindings, "", name);
        if (current == null) {
            create(clusterRoleBindings, wanted);
            return;
        }
        ClusterRoleBinding existing = Json.MAPPER.convertValue(Json.parse(current.json()), ClusterRoleBinding.class);
        if (!autoupdate(existing)) {
            return;
        }
        if (!wanted.getRoleRef().equals(existing.getRoleRef())) {
            // roleRef is immutable: the binding is replaced, as Kubernetes' reconciliation does
            storage.delete(clusterRoleBindings, "", name, ResourceStorage.DeleteOptions.DEFAULT, system);
            create(clusterRoleBindings, wanted);
            return;
        }
        boolean changed = mergeMetadata(existing, wanted);
        List<Subject> subjects = existing.getSubjects() == null ? new ArrayList<>() : new ArrayList<>(existing.getSubjects());
        for (Subject s : wanted.getSubjects()) {
            if (!subjects.contains(s)) {
                subjects.add(s);
                changed = true;
            }
        }
        existing.setSubjects(subjects);
        if (changed) {
            update(clusterRoleBindings, existing);
        }
    }

    private static boolean autoupdate(HasMetadata o) {
        Map<String, String> a = o.getMetadata().getAnnotations();
        return a == null || !"false".equals(a.get(BootstrapPolicy.AUTOUPDATE));
    }

    private static boolean mergeMetadata(HasMetadata existing, HasMetadata wanted) {
        boolean changed = false;
        Map<String, String> labels = existing.getMetadata().getLabels() == null ? new HashMap<>()
                : new HashMap<>(existing.getMetadata().getLabels());
        for (var e : wanted.getMetadata().getLabels().entrySet()) {
            if (!labels.containsKey(e.getKey())) {
                labels.put(e.getKey(), e.getValue());
                changed = true;
            }
        }
        Map<String, String> annotations = existing.getMetadata().getAnnotations() == null ? new HashMap<>()
                : new HashMap<>(existing.getMetadata().getAnnotations());
        for (var e : wanted.getMetadata().getAnnotations().entrySet()) {
            if (!annotations.containsKey(e.getKey())) {
                annotations.put(e.getKey(), e.getValue());
                changed = true;
            }
        }
        existing.getMetadata().setLabels(labels);
        existing.getMetadata().setAnnotations(annotations);
        return changed;
    }

    private ResourceStorage.WriteOptions options() {
        return new ResourceStorage.WriteOptions(false, TypedCodec.FieldValidation.IGNORE, "berth-apiserver", system,
                new ArrayList<>());
    }

    private void create(ResourceType t, HasMetadata obj) {
        try {
            storage.create(t, "", (ObjectNode) Json.tree(obj), options());
        } catch (ApiException e) {
            if (e.code() != 409) {
                throw e;   // 409: another replica created it first
            }
        }
    }

    private void update(ResourceType t, HasMetadata obj) {
        try {
            storage.update(t, "", obj.getMetadata().getName(), (ObjectNode) Json.tree(obj), options(), "");
        } catch (ApiException e) {
            if (e.code() != 409) {
                throw e;
            }
        }
    }
}
