package dev.berth.core.api.validation;

import dev.berth.core.api.FieldError;
import dev.berth.core.api.validation.MetaValidation.NameRule;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
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

import static dev.berth.core.api.validation.Check.list;

/**
 * Validates objects as the Kubernetes API server does before it stores them, kind by kind, with
 * Kubernetes' field paths and messages. Expects defaulted objects (see
 * {@link dev.berth.core.api.defaulting.Defaulter}); a Job should have its generated selector.
 * Namespace presence, resourceVersion and references to other objects are the server's and
 * admission's business, not this class's. Stateless and thread-safe.
 */
public final class Validator {

    public static final int DEFAULT_NODE_PORT_MIN = 30000;
    public static final int DEFAULT_NODE_PORT_MAX = 32767;

    private final int nodePortMin;
    private final int nodePortMax;

    public Validator() {
        this(DEFAULT_NODE_PORT_MIN, DEFAULT_NODE_PORT_MAX);
    }

    /** @param nodePortMin first port of the NodePort range, {@code nodePortMax} the last (inclusive) */
    public Validator(int nodePortMin, int nodePortMax) {
        if (nodePortMin < 1 || nodePortMax > 65535 || nodePortMin > nodePortMax) {
            throw new IllegalArgumentException("invalid NodePort range " + nodePortMin + "-" + nodePortMax);
        }
        this.nodePortMin = nodePortMin;
        this.nodePortMax = nodePortMax;
    }

    /** The broken rules of an object about to be created; empty when it is valid. */
    public List<FieldError> validateCreate(HasMetadata obj) {
        List<FieldError> errs = new ArrayList<>();
        MetaValidation.objectMeta(errs, obj.getMetadata(), nameRule(obj), "metadata");
        validateKind(errs, obj);
        return errs;
    }

    /**
     * The broken rules of an update: everything {@link #validateCreate} checks on the new object,
     * plus what may not change (name, uid, selectors, most of a Pod's spec, ...).
     *
     * @throws IllegalArgumentException when the two objects are of different kinds
     */
    public List<FieldError> validateUpdate(HasMetadata newObj, HasMetadata oldObj) {
        if (newObj.getClass() != oldObj.getClass()) {
            throw new IllegalArgumentException("cannot compare a " + newObj.getKind() + " with a " + oldObj.getKind());
        }
        List<FieldError> errs = new ArrayList<>();
        MetaValidation.objectMeta(errs, newObj.getMetadata(), nameRule(newObj), "metadata");
        MetaValidation.objectMetaUpdate(errs, newObj.getMetadata(), oldObj.getMetadata(), "metadata");
        validateKind(errs, newObj);
        switch (newObj) {
            case Pod pod -> PodValidation.podUpdate(errs, pod, (Pod) oldObj);
            case Service svc -> ServiceValidation.update(errs, svc, (Service) oldObj);
            case Deployment d -> AppsValidation.selectorImmutable(errs, spec(d.getSpec() == null ? null : d.getSpec().getSelector()),
                    spec(((Deployment) oldObj).getSpec() == null ? null : ((Deployment) oldObj).getSpec().getSelector()));
            case ReplicaSet rs -> AppsValidation.selectorImmutable(errs, spec(rs.getSpec() == null ? null : rs.getSpec().getSelector()),
                    spec(((ReplicaSet) oldObj).getSpec() == null ? null : ((ReplicaSet) oldObj).getSpec().getSelector()));
            case DaemonSet ds -> AppsValidation.selectorImmutable(errs, spec(ds.getSpec() == null ? null : ds.getSpec().getSelector()),
                    spec(((DaemonSet) oldObj).getSpec() == null ? null : ((DaemonSet) oldObj).getSpec().getSelector()));
            case StatefulSet sts -> AppsValidation.statefulSetUpdate(errs, sts, (StatefulSet) oldObj);
            case Job job -> BatchValidation.jobUpdate(errs, job, (Job) oldObj);
            case ConfigMap cm -> ConfigValidation.configMapUpdate(errs, cm, (ConfigMap) oldObj);
            case Secret s -> ConfigValidation.secretUpdate(errs, s, (Secret) oldObj);
            case PersistentVolumeClaim pvc -> StorageValidation.pvcUpdate(errs, pvc, (PersistentVolumeClaim) oldObj);
            case PersistentVolume pv -> StorageValidation.pvUpdate(errs, pv, (PersistentVolume) oldObj);
            case StorageClass sc -> StorageValidation.storageClassUpdate(errs, sc, (StorageClass) oldObj);
            case Node node -> PolicyValidation.nodeUpdate(errs, node, (Node) oldObj);
            case RoleBinding rb -> PolicyValidation.roleRefUpdate(errs, rb.getRoleRef(), ((RoleBinding) oldObj).getRoleRef());
            case ClusterRoleBinding crb -> PolicyValidation.roleRefUpdate(errs, crb.getRoleRef(), ((ClusterRoleBinding) oldObj).getRoleRef());
            case PriorityClass pc -> PolicyValidation.priorityClassUpdate(errs, pc, (PriorityClass) oldObj);
            case EndpointSlice slice -> Check.immutable(errs, "addressType", slice.getAddressType(), ((EndpointSlice) oldObj).getAddressType());
            case CertificateSigningRequest csr -> {
                var oldSpec = ((CertificateSigningRequest) oldObj).getSpec();
                if (oldSpec != null && !Check.same(oldSpec, csr.getSpec())) {
                    errs.add(FieldError.forbidden("spec", "updates to certificatesigningrequest spec are forbidden"));
                }
            }
            default -> { }
        }
        return errs;
    }

    /**
     * The 422 the API server answers for these errors:
     * {@code The Deployment "web" is invalid: spec.replicas: Invalid value: ...}.
     */
    public static dev.berth.core.api.ApiException invalid(HasMetadata obj, List<FieldError> errs) {
        String apiVersion = obj.getApiVersion() == null ? "" : obj.getApiVersion();
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String name = obj.getMetadata() == null ? null : obj.getMetadata().getName();
        return dev.berth.core.api.ApiException.invalid(group, obj.getKind(), name, errs);
    }

    private static Object spec(Object selector) {
        return selector;
    }

    private void validateKind(List<FieldError> errs, HasMetadata obj) {
        switch (obj) {
            case Pod pod -> {
                if (pod.getSpec() == null) errs.add(FieldError.required("spec", ""));
                else PodValidation.spec(errs, pod.getSpec(), "spec");
            }
            case PodTemplate t -> PodValidation.template(errs, t.getTemplate(), "template");
            case Service svc -> ServiceValidation.service(errs, svc, nodePortMin, nodePortMax);
            case Deployment d -> AppsValidation.deployment(errs, d);
            case ReplicaSet rs -> AppsValidation.replicaSet(errs, rs);
            case ReplicationController rc -> AppsValidation.replicationController(errs, rc);
            case DaemonSet ds -> AppsValidation.daemonSet(errs, ds);
            case StatefulSet sts -> AppsValidation.statefulSet(errs, sts);
            case Job job -> BatchValidation.job(errs, job);
            case CronJob cj -> BatchValidation.cronJob(errs, cj);
            case ConfigMap cm -> ConfigValidation.configMap(errs, cm);
            case Secret s -> ConfigValidation.secret(errs, s);
            case PersistentVolumeClaim pvc -> StorageValidation.pvc(errs, pvc);
            case PersistentVolume pv -> StorageValidation.pv(errs, pv);
            case StorageClass sc -> StorageValidation.storageClass(errs, sc);
            case Namespace ns -> PolicyValidation.namespace(errs, ns);
            case Node node -> PolicyValidation.node(errs, node);
            case Ingress ing -> NetworkingValidation.ingress(errs, ing);
            case NetworkPolicy np -> NetworkingValidation.networkPolicy(errs, np);
            case EndpointSlice slice -> NetworkingValidation.endpointSlice(errs, slice);
            case Role role -> PolicyValidation.rules(errs, list(role.getRules()), true, "rules");
            case ClusterRole role -> {
                if (role.getAggregationRule() == null) {
                    PolicyValidation.rules(errs, list(role.getRules()), false, "rules");
                } else {
                    var selectors = list(role.getAggregationRule().getClusterRoleSelectors());
                    if (selectors.isEmpty()) {
                        errs.add(FieldError.required("aggregationRule.clusterRoleSelectors", "at least one clusterRoleSelector required if aggregationRule is non-nil"));
                    }
                    for (int i = 0; i < selectors.size(); i++) {
                        errs.addAll(dev.berth.core.api.labels.LabelSelector.validate(selectors.get(i),
                                "aggregationRule.clusterRoleSelectors[" + i + "]"));
                    }
                }
            }
            case RoleBinding rb -> {
                PolicyValidation.roleRef(errs, rb.getRoleRef(), false);
                PolicyValidation.subjects(errs, list(rb.getSubjects()), false);
            }
            case ClusterRoleBinding crb -> {
                PolicyValidation.roleRef(errs, crb.getRoleRef(), true);
                PolicyValidation.subjects(errs, list(crb.getSubjects()), true);
            }
            case io.fabric8.kubernetes.api.model.autoscaling.v1.HorizontalPodAutoscaler hpa -> PolicyValidation.hpaV1(errs, hpa);
            case io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler hpa -> PolicyValidation.hpaV2(errs, hpa);
            case PodDisruptionBudget pdb -> PolicyValidation.pdb(errs, pdb);
            case PriorityClass pc -> PolicyValidation.priorityClass(errs, pc);
            case Lease lease -> PolicyValidation.lease(errs, lease);
            case CertificateSigningRequest csr -> PolicyValidation.csr(errs, csr);
            case ResourceQuota rq -> PolicyValidation.resourceQuota(errs, rq);
            case LimitRange lr -> PolicyValidation.limitRange(errs, lr);
            case ServiceAccount sa -> {
                var secrets = list(sa.getImagePullSecrets());
                for (int i = 0; i < secrets.size(); i++) {
                    if (Check.isEmpty(secrets.get(i).getName())) errs.add(FieldError.required("imagePullSecrets[" + i + "].name", ""));
                }
            }
            case Event event -> {
                var ref = event.getInvolvedObject();
                String ns = event.getMetadata() == null ? null : event.getMetadata().getNamespace();
                if (ref != null && !Check.isEmpty(ref.getNamespace()) && !Check.isEmpty(ns) && !ref.getNamespace().equals(ns)) {
                    errs.add(FieldError.invalid("involvedObject.namespace", ref.getNamespace(), "does not match event.namespace"));
                }
                if (!Check.isEmpty(event.getType()) && !List.of("Normal", "Warning").contains(event.getType())) {
                    errs.add(FieldError.notSupported("type", event.getType(), List.of("Normal", "Warning")));
                }
            }
            case Endpoints ep -> {
                var subsets = list(ep.getSubsets());
                for (int i = 0; i < subsets.size(); i++) {
                    var addresses = list(subsets.get(i).getAddresses());
                    for (int j = 0; j < addresses.size(); j++) {
                        String ip = addresses.get(j).getIp();
                        if (!Net.isIP(ip)) {
                            errs.add(FieldError.invalid("subsets[" + i + "].addresses[" + j + "].ip", ip, "must be a valid IP address"));
                        }
                    }
                    var ports = list(subsets.get(i).getPorts());
                    for (int j = 0; j < ports.size(); j++) {
                        var port = ports.get(j);
                        String p = "subsets[" + i + "].ports[" + j + "]";
                        if (ports.size() > 1 && Check.isEmpty(port.getName())) errs.add(FieldError.required(p + ".name", ""));
                        Check.each(errs, p + ".port", String.valueOf(port.getPort()), dev.berth.core.api.labels.Names.portNumber(port.getPort() == null ? 0 : port.getPort()));
                        Check.oneOf(errs, p + ".protocol", port.getProtocol(), PodValidation.PROTOCOLS);
                    }
                }
            }
            default -> { }
        }
    }

    private static NameRule nameRule(HasMetadata obj) {
        return switch (obj) {
            case Namespace ignored -> NameRule.DNS1123_LABEL;
            case Service ignored -> NameRule.DNS1035_LABEL;
            case Role ignored -> NameRule.PATH_SEGMENT;
            case ClusterRole ignored -> NameRule.PATH_SEGMENT;
            case RoleBinding ignored -> NameRule.PATH_SEGMENT;
            case ClusterRoleBinding ignored -> NameRule.PATH_SEGMENT;
            case CertificateSigningRequest ignored -> NameRule.PATH_SEGMENT;
            default -> NameRule.DNS1123_SUBDOMAIN;
        };
    }
}
