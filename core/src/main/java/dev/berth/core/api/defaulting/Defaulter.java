package dev.berth.core.api.defaulting;

import io.fabric8.kubernetes.api.model.ClientIPConfig;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeItem;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceSpec;
import io.fabric8.kubernetes.api.model.NamespaceStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatus;
import io.fabric8.kubernetes.api.model.PersistentVolumeStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplate;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.SessionAffinityConfig;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetUpdateStrategy;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDaemonSet;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateStatefulSetStrategy;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetPersistentVolumeClaimRetentionPolicy;
import io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategy;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicy;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricTarget;
import io.fabric8.kubernetes.api.model.autoscaling.v2.ResourceMetricSource;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.api.model.storage.StorageClass;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fills in the defaults Kubernetes sets on create and update (the SetDefaults_* functions of each
 * API group, plus the few the registries set, like a Namespace's finalizer and a Service's IP
 * family). The caller passes a fresh copy it owns; this mutates it in place.
 */
public final class Defaulter {

    /** The label and selector key a Job's generated selector uses. */
    public static final String JOB_CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid";
    public static final String JOB_NAME_LABEL = "batch.kubernetes.io/job-name";
    static final String LEGACY_CONTROLLER_UID_LABEL = "controller-uid";
    static final String LEGACY_JOB_NAME_LABEL = "job-name";

    public void apply(HasMetadata obj) {
        switch (obj) {
            case Pod pod -> pod(pod);
            case PodTemplate t -> PodDefaults.template(t.getTemplate());
            case Service s -> service(s);
            case Deployment d -> deployment(d);
            case ReplicaSet rs -> {
                if (rs.getSpec() != null) {
                    if (rs.getSpec().getReplicas() == null) rs.getSpec().setReplicas(1);
                    PodDefaults.template(rs.getSpec().getTemplate());
                }
            }
            case ReplicationController rc -> replicationController(rc);
            case DaemonSet ds -> daemonSet(ds);
            case StatefulSet sts -> statefulSet(sts);
            case Job job -> job(job);
            case CronJob cj -> cronJob(cj);
            case Secret secret -> {
                if (secret.getType() == null || secret.getType().isEmpty()) secret.setType("Opaque");
            }
            case PersistentVolumeClaim pvc -> pvc(pvc);
            case PersistentVolume pv -> pv(pv);
            case Namespace ns -> namespace(ns);
            case Node node -> node(node);
            case io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler hpa -> hpaV2(hpa);
            case io.fabric8.kubernetes.api.model.autoscaling.v1.HorizontalPodAutoscaler hpa -> {
                if (hpa.getSpec() != null && hpa.getSpec().getMinReplicas() == null) hpa.getSpec().setMinReplicas(1);
            }
            case NetworkPolicy np -> networkPolicy(np);
            case StorageClass sc -> {
                if (sc.getReclaimPolicy() == null || sc.getReclaimPolicy().isEmpty()) sc.setReclaimPolicy("Delete");
                if (sc.getVolumeBindingMode() == null || sc.getVolumeBindingMode().isEmpty()) {
                    sc.setVolumeBindingMode("Immediate");
                }
            }
            case PriorityClass pc -> {
                if (pc.getPreemptionPolicy() == null || pc.getPreemptionPolicy().isEmpty()) {
                    pc.setPreemptionPolicy("PreemptLowerPriority");
                }
            }
            case RoleBinding rb -> {
                roleRef(rb.getRoleRef());
                subjects(rb.getSubjects());
            }
            case ClusterRoleBinding crb -> {
                roleRef(crb.getRoleRef());
                subjects(crb.getSubjects());
            }
            case LimitRange lr -> limitRange(lr);
            case Endpoints ep -> {
                if (ep.getSubsets() != null) {
                    for (EndpointSubset s : ep.getSubsets()) {
                        if (s.getPorts() == null) continue;
                        for (EndpointPort p : s.getPorts()) {
                            if (isEmpty(p.getProtocol())) p.setProtocol("TCP");
                        }
                    }
                }
            }
            case io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice slice -> {
                if (slice.getPorts() != null) {
                    for (var p : slice.getPorts()) {
                        if (p.getName() == null) p.setName("");
                        if (isEmpty(p.getProtocol())) p.setProtocol("TCP");
                    }
                }
            }
            default -> {
                // kinds without defaults: ConfigMap, ServiceAccount, Role, ClusterRole, ResourceQuota,
                // Ingress, PodDisruptionBudget, Lease, CertificateSigningRequest, Event, ...
            }
        }
    }

    /**
     * Defaults an update: {@link #apply} plus what Kubernetes' registries carry over from the stored
     * object when a replace leaves it out. For a Service that is its allocated clusterIP(s), IP
     * families, nodePorts (matched by port and protocol) and healthCheckNodePort, unless the type
     * changes to or from ExternalName. Call it before validating the update.
     */
    public void applyUpdate(HasMetadata newObj, HasMetadata oldObj) {
        if (newObj instanceof Service svc && oldObj instanceof Service old) carryOverAllocated(svc, old);
        apply(newObj);
    }

    private static void carryOverAllocated(Service svc, Service old) {
        ServiceSpec spec = svc.getSpec();
        ServiceSpec oldSpec = old.getSpec();
        if (spec == null || oldSpec == null) return;
        String type = isEmpty(spec.getType()) ? "ClusterIP" : spec.getType();
        if ("ExternalName".equals(type) || "ExternalName".equals(oldSpec.getType())) return;
        if (isEmpty(spec.getClusterIP()) && (spec.getClusterIPs() == null || spec.getClusterIPs().isEmpty())) {
            spec.setClusterIP(oldSpec.getClusterIP());
            spec.setClusterIPs(oldSpec.getClusterIPs() == null ? null : new ArrayList<>(oldSpec.getClusterIPs()));
        }
        if ((spec.getIpFamilies() == null || spec.getIpFamilies().isEmpty()) && oldSpec.getIpFamilies() != null) {
            spec.setIpFamilies(new ArrayList<>(oldSpec.getIpFamilies()));
        }
        if (isEmpty(spec.getIpFamilyPolicy())) spec.setIpFamilyPolicy(oldSpec.getIpFamilyPolicy());
        boolean usesNodePorts = "NodePort".equals(type) || "LoadBalancer".equals(type);
        if (usesNodePorts && spec.getPorts() != null && oldSpec.getPorts() != null) {
            for (ServicePort p : spec.getPorts()) {
                if (p.getNodePort() != null && p.getNodePort() != 0) continue;
                String protocol = isEmpty(p.getProtocol()) ? "TCP" : p.getProtocol();
                for (ServicePort o : oldSpec.getPorts()) {
                    String oldProtocol = isEmpty(o.getProtocol()) ? "TCP" : o.getProtocol();
                    if (java.util.Objects.equals(o.getPort(), p.getPort()) && oldProtocol.equals(protocol)
                            && o.getNodePort() != null && o.getNodePort() != 0) {
                        p.setNodePort(o.getNodePort());
                        break;
                    }
                }
            }
        }
        if ("LoadBalancer".equals(type) && (spec.getHealthCheckNodePort() == null || spec.getHealthCheckNodePort() == 0)
                && "Local".equals(spec.getExternalTrafficPolicy())) {
            spec.setHealthCheckNodePort(oldSpec.getHealthCheckNodePort());
        }
    }

    /**
     * Gives a Job whose {@code spec.manualSelector} is not true the selector on its own uid, and the
     * matching labels on its pod template. The server calls this once it has assigned the uid.
     */
    public void applyJobSelector(Job job) {
        JobSpec spec = job.getSpec();
        if (spec == null || Boolean.TRUE.equals(spec.getManualSelector())) return;
        String uid = job.getMetadata() == null ? null : job.getMetadata().getUid();
        if (uid == null || uid.isEmpty()) {
            throw new IllegalStateException("job " + job.getMetadata().getName() + " has no uid yet");
        }
        String name = job.getMetadata().getName();
        if (spec.getTemplate() == null) spec.setTemplate(new io.fabric8.kubernetes.api.model.PodTemplateSpec());
        if (spec.getTemplate().getMetadata() == null) spec.getTemplate().setMetadata(new ObjectMeta());
        ObjectMeta tm = spec.getTemplate().getMetadata();
        Map<String, String> labels = tm.getLabels() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(tm.getLabels());
        labels.putIfAbsent(LEGACY_CONTROLLER_UID_LABEL, uid);
        labels.putIfAbsent(LEGACY_JOB_NAME_LABEL, name);
        labels.putIfAbsent(JOB_CONTROLLER_UID_LABEL, uid);
        labels.putIfAbsent(JOB_NAME_LABEL, name);
        tm.setLabels(labels);
        if (spec.getSelector() == null) {
            LabelSelector selector = new LabelSelector();
            selector.setMatchLabels(new LinkedHashMap<>(Map.of(JOB_CONTROLLER_UID_LABEL, uid)));
            spec.setSelector(selector);
        }
    }

    // ---- core/v1 ---------------------------------------------------------------------------------

    private static void pod(Pod pod) {
        if (pod.getSpec() == null) return;
        PodDefaults.spec(pod.getSpec());
        PodDefaults.podOnly(pod.getSpec());
    }

    private static void service(Service s) {
        ServiceSpec spec = s.getSpec();
        if (spec == null) {
            spec = new ServiceSpec();
            s.setSpec(spec);
        }
        if (isEmpty(spec.getType())) spec.setType("ClusterIP");
        if (isEmpty(spec.getSessionAffinity())) spec.setSessionAffinity("None");
        if ("ClientIP".equals(spec.getSessionAffinity())) {
            if (spec.getSessionAffinityConfig() == null) spec.setSessionAffinityConfig(new SessionAffinityConfig());
            if (spec.getSessionAffinityConfig().getClientIP() == null) {
                spec.getSessionAffinityConfig().setClientIP(new ClientIPConfig());
            }
            if (spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds() == null) {
                spec.getSessionAffinityConfig().getClientIP().setTimeoutSeconds(10800);
            }
        }
        if (spec.getPorts() != null) {
            for (ServicePort p : spec.getPorts()) {
                if (isEmpty(p.getProtocol())) p.setProtocol("TCP");
                IntOrString tp = p.getTargetPort();
                boolean unset = tp == null || (tp.getIntVal() == null && isEmpty(tp.getStrVal()))
                        || (tp.getIntVal() != null && tp.getIntVal() == 0);
                if (unset && p.getPort() != null) p.setTargetPort(new IntOrString(p.getPort()));
            }
        }
        String type = spec.getType();
        if (("NodePort".equals(type) || "LoadBalancer".equals(type)) && isEmpty(spec.getExternalTrafficPolicy())) {
            spec.setExternalTrafficPolicy("Cluster");
        }
        if (!"ExternalName".equals(type)) {
            if (isEmpty(spec.getInternalTrafficPolicy())) spec.setInternalTrafficPolicy("Cluster");
            // Berth clusters are single-stack IPv4 (service CIDR 10.43.0.0/16); headless services
            // without a selector take every family the cluster has, as Kubernetes' allocator does
            boolean headlessWithoutSelector = "None".equals(spec.getClusterIP())
                    && (spec.getSelector() == null || spec.getSelector().isEmpty());
            if (isEmpty(spec.getIpFamilyPolicy())) {
                spec.setIpFamilyPolicy(headlessWithoutSelector ? "RequireDualStack" : "SingleStack");
            }
            if (spec.getIpFamilies() == null || spec.getIpFamilies().isEmpty()) {
                spec.setIpFamilies(new ArrayList<>(List.of("IPv4")));
            }
        }
        if ("LoadBalancer".equals(type) && spec.getAllocateLoadBalancerNodePorts() == null) {
            spec.setAllocateLoadBalancerNodePorts(true);
        }
    }

    private static void replicationController(ReplicationController rc) {
        var spec = rc.getSpec();
        if (spec == null) return;
        if (spec.getTemplate() != null && spec.getTemplate().getMetadata() != null) {
            Map<String, String> templateLabels = spec.getTemplate().getMetadata().getLabels();
            if (templateLabels != null && !templateLabels.isEmpty()) {
                if (spec.getSelector() == null || spec.getSelector().isEmpty()) {
                    spec.setSelector(new LinkedHashMap<>(templateLabels));
                }
                if (rc.getMetadata() != null
                        && (rc.getMetadata().getLabels() == null || rc.getMetadata().getLabels().isEmpty())) {
                    rc.getMetadata().setLabels(new LinkedHashMap<>(templateLabels));
                }
            }
        }
        if (spec.getReplicas() == null) spec.setReplicas(1);
        PodDefaults.template(spec.getTemplate());
    }

    private static void pvcSpec(PersistentVolumeClaimSpec spec) {
        if (spec != null && isEmpty(spec.getVolumeMode())) spec.setVolumeMode("Filesystem");
    }

    private static void pvc(PersistentVolumeClaim pvc) {
        pvcSpec(pvc.getSpec());
        if (pvc.getStatus() == null) pvc.setStatus(new PersistentVolumeClaimStatus());
        if (isEmpty(pvc.getStatus().getPhase())) pvc.getStatus().setPhase("Pending");
    }

    private static void pv(PersistentVolume pv) {
        if (pv.getSpec() != null) {
            if (isEmpty(pv.getSpec().getPersistentVolumeReclaimPolicy())) {
                pv.getSpec().setPersistentVolumeReclaimPolicy("Retain");
            }
            if (isEmpty(pv.getSpec().getVolumeMode())) pv.getSpec().setVolumeMode("Filesystem");
            if (pv.getSpec().getHostPath() != null && pv.getSpec().getHostPath().getType() == null) {
                pv.getSpec().getHostPath().setType("");
            }
        }
        if (pv.getStatus() == null) pv.setStatus(new PersistentVolumeStatus());
        if (isEmpty(pv.getStatus().getPhase())) pv.getStatus().setPhase("Pending");
    }

    private static void namespace(Namespace ns) {
        if (ns.getSpec() == null) ns.setSpec(new NamespaceSpec());
        List<String> finalizers = ns.getSpec().getFinalizers() == null ? new ArrayList<>()
                : new ArrayList<>(ns.getSpec().getFinalizers());
        if (!finalizers.contains("kubernetes")) finalizers.add("kubernetes");
        ns.getSpec().setFinalizers(finalizers);
        if (ns.getStatus() == null) ns.setStatus(new NamespaceStatus());
        if (isEmpty(ns.getStatus().getPhase())) ns.getStatus().setPhase("Active");
        if (ns.getMetadata() != null && ns.getMetadata().getName() != null) {
            Map<String, String> labels = ns.getMetadata().getLabels() == null ? new LinkedHashMap<>()
                    : new LinkedHashMap<>(ns.getMetadata().getLabels());
            labels.put("kubernetes.io/metadata.name", ns.getMetadata().getName());
            ns.getMetadata().setLabels(labels);
        }
    }

    private static void node(Node node) {
        NodeStatus status = node.getStatus();
        if (status != null && status.getCapacity() != null && status.getAllocatable() == null) {
            Map<String, Quantity> allocatable = new LinkedHashMap<>();
            status.getCapacity().forEach((k, v) -> allocatable.put(k, new Quantity(v.getAmount(), v.getFormat())));
            status.setAllocatable(allocatable);
        }
    }

    private static void limitRange(LimitRange lr) {
        if (lr.getSpec() == null || lr.getSpec().getLimits() == null) return;
        for (LimitRangeItem item : lr.getSpec().getLimits()) {
            if (!"Container".equals(item.getType())) continue;
            Map<String, Quantity> def = item.getDefault() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(item.getDefault());
            Map<String, Quantity> defReq = item.getDefaultRequest() == null ? new LinkedHashMap<>()
                    : new LinkedHashMap<>(item.getDefaultRequest());
            if (item.getMax() != null) item.getMax().forEach(def::putIfAbsent);
            def.forEach(defReq::putIfAbsent);
            if (item.getMin() != null) item.getMin().forEach(defReq::putIfAbsent);
            item.setDefault(def);
            item.setDefaultRequest(defReq);
        }
    }

    // ---- apps/v1 ---------------------------------------------------------------------------------

    private static void deployment(Deployment d) {
        var spec = d.getSpec();
        if (spec == null) return;
        if (spec.getReplicas() == null) spec.setReplicas(1);
        DeploymentStrategy strategy = spec.getStrategy();
        if (strategy == null) {
            strategy = new DeploymentStrategy();
            spec.setStrategy(strategy);
        }
        if (isEmpty(strategy.getType())) strategy.setType("RollingUpdate");
        if ("RollingUpdate".equals(strategy.getType())) {
            if (strategy.getRollingUpdate() == null) strategy.setRollingUpdate(new RollingUpdateDeployment());
            if (strategy.getRollingUpdate().getMaxUnavailable() == null) {
                strategy.getRollingUpdate().setMaxUnavailable(new IntOrString("25%"));
            }
            if (strategy.getRollingUpdate().getMaxSurge() == null) {
                strategy.getRollingUpdate().setMaxSurge(new IntOrString("25%"));
            }
        }
        if (spec.getRevisionHistoryLimit() == null) spec.setRevisionHistoryLimit(10);
        if (spec.getProgressDeadlineSeconds() == null) spec.setProgressDeadlineSeconds(600);
        PodDefaults.template(spec.getTemplate());
    }

    private static void daemonSet(DaemonSet ds) {
        var spec = ds.getSpec();
        if (spec == null) return;
        DaemonSetUpdateStrategy strategy = spec.getUpdateStrategy();
        if (strategy == null) {
            strategy = new DaemonSetUpdateStrategy();
            spec.setUpdateStrategy(strategy);
        }
        if (isEmpty(strategy.getType())) strategy.setType("RollingUpdate");
        if ("RollingUpdate".equals(strategy.getType())) {
            if (strategy.getRollingUpdate() == null) strategy.setRollingUpdate(new RollingUpdateDaemonSet());
            if (strategy.getRollingUpdate().getMaxUnavailable() == null) {
                strategy.getRollingUpdate().setMaxUnavailable(new IntOrString(1));
            }
            if (strategy.getRollingUpdate().getMaxSurge() == null) {
                strategy.getRollingUpdate().setMaxSurge(new IntOrString(0));
            }
        }
        if (spec.getRevisionHistoryLimit() == null) spec.setRevisionHistoryLimit(10);
        PodDefaults.template(spec.getTemplate());
    }

    private static void statefulSet(StatefulSet sts) {
        var spec = sts.getSpec();
        if (spec == null) return;
        if (isEmpty(spec.getPodManagementPolicy())) spec.setPodManagementPolicy("OrderedReady");
        StatefulSetUpdateStrategy strategy = spec.getUpdateStrategy();
        if (strategy == null) {
            strategy = new StatefulSetUpdateStrategy();
            spec.setUpdateStrategy(strategy);
        }
        if (isEmpty(strategy.getType())) strategy.setType("RollingUpdate");
        if ("RollingUpdate".equals(strategy.getType())) {
            if (strategy.getRollingUpdate() == null) strategy.setRollingUpdate(new RollingUpdateStatefulSetStrategy());
            if (strategy.getRollingUpdate().getPartition() == null) strategy.getRollingUpdate().setPartition(0);
        }
        if (spec.getPersistentVolumeClaimRetentionPolicy() == null) {
            spec.setPersistentVolumeClaimRetentionPolicy(new StatefulSetPersistentVolumeClaimRetentionPolicy());
        }
        var retention = spec.getPersistentVolumeClaimRetentionPolicy();
        if (isEmpty(retention.getWhenDeleted())) retention.setWhenDeleted("Retain");
        if (isEmpty(retention.getWhenScaled())) retention.setWhenScaled("Retain");
        if (spec.getReplicas() == null) spec.setReplicas(1);
        if (spec.getRevisionHistoryLimit() == null) spec.setRevisionHistoryLimit(10);
        if (spec.getVolumeClaimTemplates() != null) {
            for (PersistentVolumeClaim t : spec.getVolumeClaimTemplates()) pvc(t);
        }
        PodDefaults.template(spec.getTemplate());
    }

    // ---- batch/v1 --------------------------------------------------------------------------------

    private static void job(Job job) {
        JobSpec spec = job.getSpec();
        if (spec == null) return;
        if (spec.getCompletions() == null && spec.getParallelism() == null) {
            spec.setCompletions(1);
            spec.setParallelism(1);
        }
        if (spec.getParallelism() == null) spec.setParallelism(1);
        if (spec.getBackoffLimit() == null) {
            spec.setBackoffLimit(spec.getBackoffLimitPerIndex() != null ? Integer.MAX_VALUE : 6);
        }
        if (isEmpty(spec.getCompletionMode())) spec.setCompletionMode("NonIndexed");
        if (spec.getSuspend() == null) spec.setSuspend(false);
        if (isEmpty(spec.getPodReplacementPolicy())) {
            spec.setPodReplacementPolicy(spec.getPodFailurePolicy() != null ? "Failed" : "TerminatingOrFailed");
        }
        if (spec.getPodFailurePolicy() != null && spec.getPodFailurePolicy().getRules() != null) {
            for (var rule : spec.getPodFailurePolicy().getRules()) {
                if (rule.getOnPodConditions() == null) continue;
                for (var c : rule.getOnPodConditions()) {
                    if (isEmpty(c.getStatus())) c.setStatus("True");
                }
            }
        }
        PodDefaults.template(spec.getTemplate());
    }

    private static void cronJob(CronJob cj) {
        var spec = cj.getSpec();
        if (spec == null) return;
        if (isEmpty(spec.getConcurrencyPolicy())) spec.setConcurrencyPolicy("Allow");
        if (spec.getSuspend() == null) spec.setSuspend(false);
        if (spec.getSuccessfulJobsHistoryLimit() == null) spec.setSuccessfulJobsHistoryLimit(3);
        if (spec.getFailedJobsHistoryLimit() == null) spec.setFailedJobsHistoryLimit(1);
        if (spec.getJobTemplate() != null && spec.getJobTemplate().getSpec() != null) {
            PodDefaults.template(spec.getJobTemplate().getSpec().getTemplate());
        }
    }

    // ---- autoscaling/v2 --------------------------------------------------------------------------

    private static void hpaV2(io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler hpa) {
        var spec = hpa.getSpec();
        if (spec == null) return;
        if (spec.getMinReplicas() == null) spec.setMinReplicas(1);
        if (spec.getMetrics() == null || spec.getMetrics().isEmpty()) {
            MetricTarget target = new MetricTarget();
            target.setType("Utilization");
            target.setAverageUtilization(80);
            ResourceMetricSource resource = new ResourceMetricSource();
            resource.setName("cpu");
            resource.setTarget(target);
            MetricSpec metric = new MetricSpec();
            metric.setType("Resource");
            metric.setResource(resource);
            spec.setMetrics(new ArrayList<>(List.of(metric)));
        }
        HorizontalPodAutoscalerBehavior behavior = spec.getBehavior();
        if (behavior != null) {
            behavior.setScaleUp(scalingRules(behavior.getScaleUp(), 0,
                    List.of(policy("Pods", 4, 15), policy("Percent", 100, 15))));
            behavior.setScaleDown(scalingRules(behavior.getScaleDown(), 300, List.of(policy("Percent", 100, 15))));
        }
    }

    private static HPAScalingRules scalingRules(HPAScalingRules rules, int window, List<HPAScalingPolicy> policies) {
        HPAScalingRules r = rules == null ? new HPAScalingRules() : rules;
        if (r.getStabilizationWindowSeconds() == null) r.setStabilizationWindowSeconds(window);
        if (isEmpty(r.getSelectPolicy())) r.setSelectPolicy("Max");
        if (r.getPolicies() == null || r.getPolicies().isEmpty()) r.setPolicies(new ArrayList<>(policies));
        return r;
    }

    private static HPAScalingPolicy policy(String type, int value, int period) {
        HPAScalingPolicy p = new HPAScalingPolicy();
        p.setType(type);
        p.setValue(value);
        p.setPeriodSeconds(period);
        return p;
    }

    // ---- networking, rbac ------------------------------------------------------------------------

    private static void networkPolicy(NetworkPolicy np) {
        var spec = np.getSpec();
        if (spec == null) return;
        if (spec.getPolicyTypes() == null || spec.getPolicyTypes().isEmpty()) {
            List<String> types = new ArrayList<>(List.of("Ingress"));
            if (spec.getEgress() != null && !spec.getEgress().isEmpty()) types.add("Egress");
            spec.setPolicyTypes(types);
        }
        if (spec.getIngress() != null) {
            spec.getIngress().forEach(rule -> ports(rule.getPorts()));
        }
        if (spec.getEgress() != null) {
            spec.getEgress().forEach(rule -> ports(rule.getPorts()));
        }
    }

    private static void ports(List<NetworkPolicyPort> ports) {
        if (ports == null) return;
        for (NetworkPolicyPort p : ports) {
            if (isEmpty(p.getProtocol())) p.setProtocol("TCP");
        }
    }

    private static void roleRef(RoleRef ref) {
        if (ref != null && isEmpty(ref.getApiGroup())) ref.setApiGroup("rbac.authorization.k8s.io");
    }

    private static void subjects(List<Subject> subjects) {
        if (subjects == null) return;
        for (Subject s : subjects) {
            if (s.getApiGroup() == null || s.getApiGroup().isEmpty()) {
                if ("User".equals(s.getKind()) || "Group".equals(s.getKind())) {
                    s.setApiGroup("rbac.authorization.k8s.io");
                } else if ("ServiceAccount".equals(s.getKind())) {
                    s.setApiGroup("");
                }
            }
        }
    }

    static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }
}
