package dev.berth.core.apiserver.registry;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.api.model.storage.StorageClass;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Every built-in resource Berth serves, with the names discovery and kubectl expect. */
public final class BuiltinResources {
    private BuiltinResources() {}

    private static final List<String> NO_SHORT = List.of();
    private static final List<String> ALL = List.of("all");
    private static final List<String> READ_ONLY_CREATE = List.of("create");

    public static List<ResourceType> all() {
        List<ResourceType> r = new ArrayList<>();
        // core/v1
        r.add(t("", "v1", "namespaces", "Namespace", false, List.of("ns"), NO_SHORT, Namespace.class, Set.of("status", "finalize")));
        r.add(t("", "v1", "pods", "Pod", true, List.of("po"), ALL, Pod.class,
                Set.of("status", "binding", "eviction", "log", "exec", "attach", "portforward", "ephemeralcontainers")));
        r.add(new ResourceType("", "v1", "bindings", "binding", "Binding", true, NO_SHORT, NO_SHORT,
                io.fabric8.kubernetes.api.model.Binding.class, Set.of(), "core/bindings", READ_ONLY_CREATE));
        r.add(t("", "v1", "services", "Service", true, List.of("svc"), ALL, Service.class, Set.of("status")));
        r.add(t("", "v1", "endpoints", "Endpoints", true, List.of("ep"), NO_SHORT, Endpoints.class, Set.of()));
        r.add(t("", "v1", "configmaps", "ConfigMap", true, List.of("cm"), NO_SHORT, ConfigMap.class, Set.of()));
        r.add(t("", "v1", "secrets", "Secret", true, NO_SHORT, NO_SHORT, Secret.class, Set.of()));
        r.add(t("", "v1", "nodes", "Node", false, List.of("no"), NO_SHORT, Node.class, Set.of("status", "proxy")));
        r.add(t("", "v1", "events", "Event", true, List.of("ev"), NO_SHORT, Event.class, Set.of()));
        r.add(t("", "v1", "serviceaccounts", "ServiceAccount", true, List.of("sa"), NO_SHORT, ServiceAccount.class, Set.of("token")));
        r.add(t("", "v1", "persistentvolumes", "PersistentVolume", false, List.of("pv"), NO_SHORT, PersistentVolume.class, Set.of("status")));
        r.add(t("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, List.of("pvc"), NO_SHORT, PersistentVolumeClaim.class, Set.of("status")));
        r.add(t("", "v1", "resourcequotas", "ResourceQuota", true, List.of("quota"), NO_SHORT, ResourceQuota.class, Set.of("status")));
        r.add(t("", "v1", "limitranges", "LimitRange", true, List.of("limits"), NO_SHORT, LimitRange.class, Set.of()));
        r.add(t("", "v1", "replicationcontrollers", "ReplicationController", true, List.of("rc"), ALL, ReplicationController.class, Set.of("status", "scale")));
        // apps/v1
        r.add(t("apps", "v1", "deployments", "Deployment", true, List.of("deploy"), ALL, Deployment.class, Set.of("status", "scale")));
        r.add(t("apps", "v1", "replicasets", "ReplicaSet", true, List.of("rs"), ALL, ReplicaSet.class, Set.of("status", "scale")));
        r.add(t("apps", "v1", "daemonsets", "DaemonSet", true, List.of("ds"), ALL, DaemonSet.class, Set.of("status")));
        r.add(t("apps", "v1", "statefulsets", "StatefulSet", true, List.of("sts"), ALL, StatefulSet.class, Set.of("status", "scale")));
        r.add(t("apps", "v1", "controllerrevisions", "ControllerRevision", true, NO_SHORT, NO_SHORT, ControllerRevision.class, Set.of()));
        // batch/v1
        r.add(t("batch", "v1", "jobs", "Job", true, NO_SHORT, ALL, Job.class, Set.of("status")));
        r.add(t("batch", "v1", "cronjobs", "CronJob", true, List.of("cj"), ALL, CronJob.class, Set.of("status")));
        // autoscaling: v2 is the storage version; v1 is converted
        r.add(t("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true, List.of("hpa"), ALL,
                io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class, Set.of("status")));
        r.add(t("autoscaling", "v1", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true, List.of("hpa"), ALL,
                io.fabric8.kubernetes.api.model.autoscaling.v1.HorizontalPodAutoscaler.class, Set.of("status")));
        // policy/v1
        r.add(t("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true, List.of("pdb"), NO_SHORT, PodDisruptionBudget.class, Set.of("status")));
        // networking.k8s.io/v1
        r.add(t("networking.k8s.io", "v1", "ingresses", "Ingress", true, List.of("ing"), NO_SHORT, Ingress.class, Set.of("status")));
        r.add(t("networking.k8s.io", "v1", "ingressclasses", "IngressClass", false, NO_SHORT, NO_SHORT, IngressClass.class, Set.of()));
        r.add(t("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true, List.of("netpol"), NO_SHORT, NetworkPolicy.class, Set.of()));
        // coordination, discovery
        r.add(t("coordination.k8s.io", "v1", "leases", "Lease", true, NO_SHORT, NO_SHORT, Lease.class, Set.of()));
        r.add(t("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", true, NO_SHORT, NO_SHORT, EndpointSlice.class, Set.of()));
        // rbac
        r.add(t("rbac.authorization.k8s.io", "v1", "roles", "Role", true, NO_SHORT, NO_SHORT, Role.class, Set.of()));
        r.add(t("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false, NO_SHORT, NO_SHORT, ClusterRole.class, Set.of()));
        r.add(t("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true, NO_SHORT, NO_SHORT, RoleBinding.class, Set.of()));
        r.add(t("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false, NO_SHORT, NO_SHORT, ClusterRoleBinding.class, Set.of()));
        // storage, scheduling, certificates, apiextensions
        r.add(t("storage.k8s.io", "v1", "storageclasses", "StorageClass", false, List.of("sc"), NO_SHORT, StorageClass.class, Set.of()));
        r.add(t("scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", false, List.of("pc"), NO_SHORT, PriorityClass.class, Set.of()));
        r.add(t("certificates.k8s.io", "v1", "certificatesigningrequests", "CertificateSigningRequest", false, List.of("csr"), NO_SHORT,
                CertificateSigningRequest.class, Set.of("status", "approval")));
        r.add(t("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false, List.of("crd", "crds"), NO_SHORT,
                CustomResourceDefinition.class, Set.of("status")));
        // reviews: created and answered at once, never stored (no model class: answered as JSON)
        r.add(review("authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview", false));
        r.add(review("authorization.k8s.io", "selfsubjectrulesreviews", "SelfSubjectRulesReview", false));
        r.add(review("authorization.k8s.io", "subjectaccessreviews", "SubjectAccessReview", false));
        r.add(review("authorization.k8s.io", "localsubjectaccessreviews", "LocalSubjectAccessReview", true));
        r.add(review("authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview", false));
        // metrics.k8s.io/v1beta1: read-only, served from memory (never stored)
        r.add(new ResourceType("metrics.k8s.io", "v1beta1", "nodes", "", "NodeMetrics", false, NO_SHORT, NO_SHORT,
                io.fabric8.kubernetes.api.model.metrics.v1beta1.NodeMetrics.class, Set.of(), "metrics.k8s.io/nodes",
                List.of("get", "list")));
        r.add(new ResourceType("metrics.k8s.io", "v1beta1", "pods", "", "PodMetrics", true, NO_SHORT, NO_SHORT,
                io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics.class, Set.of(), "metrics.k8s.io/pods",
                List.of("get", "list")));
        return r;
    }

    private static ResourceType review(String group, String resource, String kind, boolean namespaced) {
        return new ResourceType(group, "v1", resource, kind.toLowerCase(java.util.Locale.ROOT), kind, namespaced,
                NO_SHORT, NO_SHORT, null, Set.of(), group + "/" + resource, READ_ONLY_CREATE);
    }

    private static ResourceType t(String group, String version, String resource, String kind, boolean namespaced,
                                  List<String> shortNames, List<String> categories, Class<?> type, Set<String> subresources) {
        String storage = (group.isEmpty() ? "core" : group) + "/" + resource;
        return new ResourceType(group, version, resource, kind.toLowerCase(java.util.Locale.ROOT), kind, namespaced,
                shortNames, categories, type, subresources, storage, ResourceType.ALL_VERBS);
    }
}
