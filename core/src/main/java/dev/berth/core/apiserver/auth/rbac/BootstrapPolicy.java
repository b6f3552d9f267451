package dev.berth.core.apiserver.auth.rbac;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.rbac.AggregationRule;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ClusterRoles and ClusterRoleBindings every cluster starts with, after Kubernetes' bootstrap
 * policy ({@code plugin/pkg/auth/authorizer/rbac/bootstrappolicy}): cluster-admin for
 * {@code system:masters}, the user-facing admin/edit/view built by aggregation, discovery and
 * basic-user for every authenticated user, and the roles of kube-proxy and DNS. Berth's in-process
 * controllers and scheduler act as {@code system:kube-controller-manager} in {@code system:masters}.
 */
public final class BootstrapPolicy {
    public static final String AUTOUPDATE = "rbac.authorization.kubernetes.io/autoupdate";
    public static final String BOOTSTRAPPING_LABEL = "kubernetes.io/bootstrapping";
    public static final String AGGREGATE_TO_ADMIN = "rbac.authorization.k8s.io/aggregate-to-admin";
    public static final String AGGREGATE_TO_EDIT = "rbac.authorization.k8s.io/aggregate-to-edit";
    public static final String AGGREGATE_TO_VIEW = "rbac.authorization.k8s.io/aggregate-to-view";

    private static final List<String> READ = List.of("get", "list", "watch");
    private static final List<String> WRITE = List.of("create", "delete", "deletecollection", "patch", "update");
    private static final List<String> READ_WRITE = List.of("create", "delete", "deletecollection", "get", "list",
            "patch", "update", "watch");

    private BootstrapPolicy() {}

    public static List<ClusterRole> clusterRoles() {
        List<ClusterRole> roles = new ArrayList<>();
        roles.add(role("cluster-admin", Map.of(), List.of(
                rule(List.of("*"), List.of("*"), List.of("*")),
                urls(List.of("*"), List.of("*")))));
        roles.add(aggregated("admin", Map.of(), AGGREGATE_TO_ADMIN));
        roles.add(aggregated("edit", Map.of(AGGREGATE_TO_ADMIN, "true"), AGGREGATE_TO_EDIT));
        roles.add(aggregated("view", Map.of(AGGREGATE_TO_EDIT, "true"), AGGREGATE_TO_VIEW));
        roles.add(role("system:aggregate-to-admin", Map.of(AGGREGATE_TO_ADMIN, "true"), List.of(
                rule(List.of("create"), List.of("authorization.k8s.io"), List.of("localsubjectaccessreviews")),
                rule(READ_WRITE, List.of(RbacIndex.GROUP), List.of("roles", "rolebindings")))));
        roles.add(role("system:aggregate-to-edit", Map.of(AGGREGATE_TO_ADMIN, "true", AGGREGATE_TO_EDIT, "true"), List.of(
                rule(List.of("impersonate"), List.of(""), List.of("serviceaccounts")),
                rule(WRITE, List.of(""), List.of("pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward")),
                rule(List.of("create"), List.of(""), List.of("pods/eviction")),
                rule(WRITE, List.of(""), List.of("configmaps", "events", "persistentvolumeclaims",
                        "replicationcontrollers", "replicationcontrollers/scale", "secrets", "serviceaccounts",
                        "services", "services/proxy")),
                rule(List.of("create"), List.of(""), List.of("serviceaccounts/token")),
                rule(WRITE, List.of("apps"), List.of("daemonsets", "deployments", "deployments/rollback",
                        "deployments/scale", "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale")),
                rule(WRITE, List.of("autoscaling"), List.of("horizontalpodautoscalers")),
                rule(WRITE, List.of("batch"), List.of("cronjobs", "jobs")),
                rule(WRITE, List.of("networking.k8s.io"), List.of("ingresses", "networkpolicies")),
                rule(WRITE, List.of("policy"), List.of("poddisruptionbudgets")),
                rule(READ, List.of(""), List.of("pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets",
                        "services/proxy")),
                rule(WRITE, List.of("coordination.k8s.io"), List.of("leases")),
                rule(READ, List.of("coordination.k8s.io"), List.of("leases")))));
        roles.add(role("system:aggregate-to-view", Map.of(AGGREGATE_TO_ADMIN, "true", AGGREGATE_TO_EDIT, "true",
                AGGREGATE_TO_VIEW, "true"), List.of(
                rule(READ, List.of(""), List.of("configmaps", "endpoints", "persistentvolumeclaims",
                        "persistentvolumeclaims/status", "pods", "replicationcontrollers", "replicationcontrollers/scale",
                        "serviceaccounts", "services", "services/status")),
                rule(READ, List.of(""), List.of("bindings", "events", "limitranges", "namespaces/status", "pods/log",
                        "pods/status", "replicationcontrollers/status", "resourcequotas", "resourcequotas/status")),
                rule(READ, List.of(""), List.of("namespaces")),
                rule(READ, List.of("discovery.k8s.io"), List.of("endpointslices")),
                rule(READ, List.of("apps"), List.of("controllerrevisions", "daemonsets", "daemonsets/status",
                        "deployments", "deployments/scale", "deployments/status", "replicasets", "replicasets/scale",
                        "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status")),
                rule(READ, List.of("autoscaling"), List.of("horizontalpodautoscalers", "horizontalpodautoscalers/status")),
                rule(READ, List.of("batch"), List.of("cronjobs", "cronjobs/status", "jobs", "jobs/status")),
                rule(READ, List.of("policy"), List.of("poddisruptionbudgets", "poddisruptionbudgets/status")),
                rule(READ, List.of("networking.k8s.io"), List.of("ingresses", "ingresses/status", "networkpolicies")),
                rule(READ, List.of("metrics.k8s.io"), List.of("pods", "nodes")))));
        roles.add(role("system:discovery", Map.of(), List.of(urls(List.of("get"), List.of("/api", "/api/*", "/apis",
                "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/")))));
        roles.add(role("system:public-info-viewer", Map.of(), List.of(urls(List.of("get"), List.of("/healthz",
                "/livez", "/readyz", "/version", "/version/")))));
        roles.add(role("system:basic-user", Map.of(), List.of(
                rule(List.of("create"), List.of("authorization.k8s.io"),
                        List.of("selfsubjectaccessreviews", "selfsubjectrulesreviews")),
                rule(List.of("create"), List.of("authentication.k8s.io"), List.of("selfsubjectreviews")))));
        roles.add(role("system:node-proxier", Map.of(), List.of(
                rule(List.of("list", "watch"), List.of(""), List.of("endpoints", "services")),
                rule(READ, List.of(""), List.of("nodes")),
                rule(List.of("create", "patch", "update"), List.of("", "events.k8s.io"), List.of("events")),
                rule(List.of("list", "watch"), List.of("discovery.k8s.io"), List.of("endpointslices")))));
        // what a bootstrap token may do: ask for its node's client certificate (Kubernetes' role of that name)
        roles.add(role("system:node-bootstrapper", Map.of(), List.of(
                rule(List.of("create", "get", "list", "watch"), List.of("certificates.k8s.io"),
                        List.of("certificatesigningrequests")))));
        roles.add(role("system:kube-dns", Map.of(), List.of(
                rule(List.of("list", "watch"), List.of(""), List.of("endpoints", "services")),
                rule(List.of("list", "watch"), List.of("discovery.k8s.io"), List.of("endpointslices")))));
        roles.add(role("system:kube-controller-manager", Map.of(), List.of(
                rule(List.of("*"), List.of("*"), List.of("*")))));
        roles.add(role("system:kube-scheduler", Map.of(), List.of(
                rule(READ, List.of(""), List.of("nodes", "pods", "namespaces", "persistentvolumes",
                        "persistentvolumeclaims", "services", "replicationcontrollers")),
                rule(List.of("create"), List.of(""), List.of("pods/binding", "bindings")),
                rule(List.of("patch", "update"), List.of(""), List.of("pods/status")),
                rule(List.of("delete", "get", "list", "watch"), List.of(""), List.of("pods")),
                rule(READ, List.of("apps"), List.of("replicasets", "statefulsets")),
                rule(READ, List.of("policy"), List.of("poddisruptionbudgets")),
                rule(READ, List.of("storage.k8s.io"), List.of("storageclasses", "csinodes")),
                rule(List.of("create", "get", "update"), List.of("coordination.k8s.io"), List.of("leases")),
                rule(List.of("create", "patch", "update"), List.of("", "events.k8s.io"), List.of("events")))));
        return roles;
    }

    public static List<ClusterRoleBinding> clusterRoleBindings() {
        return List.of(
                binding("cluster-admin", "cluster-admin", group("system:masters")),
                binding("system:discovery", "system:discovery", group("system:authenticated")),
                binding("system:basic-user", "system:basic-user", group("system:authenticated")),
                binding("system:public-info-viewer", "system:public-info-viewer", group("system:authenticated"),
                        group("system:unauthenticated")),
                binding("system:node-proxier", "system:node-proxier", user("system:kube-proxy")),
                binding("system:kube-dns", "system:kube-dns", serviceAccount("kube-system", "kube-dns")),
                // as kubeadm's kubeadm:kubelet-bootstrap: `berth node add` joins nodes with bootstrap tokens
                binding("berth:node-bootstrapper", "system:node-bootstrapper", group("system:bootstrappers")),
                binding("system:kube-controller-manager", "system:kube-controller-manager",
                        user("system:kube-controller-manager")),
                binding("system:kube-scheduler", "system:kube-scheduler", user("system:kube-scheduler")));
    }

    private static ObjectMeta meta(String name, Map<String, String> extraLabels) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(BOOTSTRAPPING_LABEL, "rbac-defaults");
        labels.putAll(extraLabels);
        return new ObjectMetaBuilder().withName(name).withLabels(labels)
                .withAnnotations(Map.of(AUTOUPDATE, "true")).build();
    }

    private static ClusterRole role(String name, Map<String, String> labels, List<PolicyRule> rules) {
        ClusterRole r = new ClusterRole();
        r.setApiVersion("rbac.authorization.k8s.io/v1");
        r.setKind("ClusterRole");
        r.setMetadata(meta(name, labels));
        r.setRules(new ArrayList<>(rules));
        return r;
    }

    private static ClusterRole aggregated(String name, Map<String, String> labels, String selectorLabel) {
        ClusterRole r = role(name, labels, List.of());
        LabelSelector s = new LabelSelectorBuilder().withMatchLabels(Map.of(selectorLabel, "true")).build();
        AggregationRule a = new AggregationRule();
        a.setClusterRoleSelectors(new ArrayList<>(List.of(s)));
        r.setAggregationRule(a);
        return r;
    }

    private static ClusterRoleBinding binding(String name, String role, Subject... subjects) {
        ClusterRoleBinding b = new ClusterRoleBinding();
        b.setApiVersion("rbac.authorization.k8s.io/v1");
        b.setKind("ClusterRoleBinding");
        b.setMetadata(meta(name, Map.of()));
        b.setRoleRef(new RoleRef(RbacIndex.GROUP, "ClusterRole", role));
        b.setSubjects(new ArrayList<>(List.of(subjects)));
        return b;
    }

    private static Subject group(String name) {
        return new Subject(RbacIndex.GROUP, "Group", name, null);
    }

    private static Subject user(String name) {
        return new Subject(RbacIndex.GROUP, "User", name, null);
    }

    private static Subject serviceAccount(String namespace, String name) {
        return new Subject("", "ServiceAccount", name, namespace);
    }

    private static PolicyRule rule(List<String> verbs, List<String> groups, List<String> resources) {
        return RbacRules.rule(groups, resources, List.of(), List.of(), verbs);
    }

    private static PolicyRule urls(List<String> verbs, List<String> urls) {
        return RbacRules.rule(List.of(), List.of(), List.of(), urls, verbs);
    }
}
