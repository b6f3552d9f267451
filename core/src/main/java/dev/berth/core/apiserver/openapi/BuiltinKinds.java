package dev.berth.core.apiserver.openapi;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplate;
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
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
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

import java.util.List;

/** The built-in kinds with their fabric8 classes, ready to describe in OpenAPI. */
public final class BuiltinKinds {
    private BuiltinKinds() {
    }

    public static List<ServedKind> all() {
        return List.of(
                ns("", "v1", "Pod", "pods", Pod.class),
                ns("", "v1", "Service", "services", Service.class),
                ns("", "v1", "ConfigMap", "configmaps", ConfigMap.class),
                ns("", "v1", "Secret", "secrets", Secret.class),
                ns("", "v1", "ServiceAccount", "serviceaccounts", ServiceAccount.class),
                ns("", "v1", "Endpoints", "endpoints", Endpoints.class),
                ns("", "v1", "Event", "events", Event.class),
                ns("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", PersistentVolumeClaim.class),
                ns("", "v1", "ReplicationController", "replicationcontrollers", ReplicationController.class),
                ns("", "v1", "ResourceQuota", "resourcequotas", ResourceQuota.class),
                ns("", "v1", "LimitRange", "limitranges", LimitRange.class),
                ns("", "v1", "PodTemplate", "podtemplates", PodTemplate.class),
                cluster("", "v1", "Namespace", "namespaces", Namespace.class),
                cluster("", "v1", "Node", "nodes", Node.class),
                cluster("", "v1", "PersistentVolume", "persistentvolumes", PersistentVolume.class),
                ns("apps", "v1", "Deployment", "deployments", Deployment.class),
                ns("apps", "v1", "ReplicaSet", "replicasets", ReplicaSet.class),
                ns("apps", "v1", "DaemonSet", "daemonsets", DaemonSet.class),
                ns("apps", "v1", "StatefulSet", "statefulsets", StatefulSet.class),
                ns("apps", "v1", "ControllerRevision", "controllerrevisions", ControllerRevision.class),
                ns("batch", "v1", "Job", "jobs", Job.class),
                ns("batch", "v1", "CronJob", "cronjobs", CronJob.class),
                ns("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers",
                        HorizontalPodAutoscaler.class),
                ns("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", PodDisruptionBudget.class),
                ns("networking.k8s.io", "v1", "Ingress", "ingresses", Ingress.class),
                ns("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", NetworkPolicy.class),
                cluster("networking.k8s.io", "v1", "IngressClass", "ingressclasses", IngressClass.class),
                ns("coordination.k8s.io", "v1", "Lease", "leases", Lease.class),
                ns("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", EndpointSlice.class),
                ns("rbac.authorization.k8s.io", "v1", "Role", "roles", Role.class),
                ns("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", RoleBinding.class),
                cluster("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", ClusterRole.class),
                cluster("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings",
                        ClusterRoleBinding.class),
                cluster("storage.k8s.io", "v1", "StorageClass", "storageclasses", StorageClass.class),
                cluster("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", PriorityClass.class),
                cluster("certificates.k8s.io", "v1", "CertificateSigningRequest", "certificatesigningrequests",
                        CertificateSigningRequest.class),
                cluster("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions",
                        CustomResourceDefinition.class));
    }

    private static ServedKind ns(String group, String version, String kind, String resource, Class<?> type) {
        return ServedKind.builtin(group, version, kind, resource, true, type);
    }

    private static ServedKind cluster(String group, String version, String kind, String resource, Class<?> type) {
        return ServedKind.builtin(group, version, kind, resource, false, type);
    }
}
