package dev.berth.core.api.validation;

import dev.berth.core.api.FieldError;
import dev.berth.core.api.labels.LabelSelector;
import dev.berth.core.api.labels.Labels;
import dev.berth.core.api.labels.Names;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeItem;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricTarget;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;

import java.io.StringReader;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static dev.berth.core.api.validation.Check.isEmpty;
import static dev.berth.core.api.validation.Check.list;
import static dev.berth.core.api.validation.Check.map;

/** Cluster and policy kinds: Namespace, Node, RBAC, HPA, PDB, PriorityClass, Lease, CSR, ResourceQuota, LimitRange. */
final class PolicyValidation {
    private PolicyValidation() {}

    static final String RBAC_GROUP = "rbac.authorization.k8s.io";

    static void namespace(List<FieldError> errs, Namespace ns) {
        if (ns.getSpec() == null) return;
        for (String f : list(ns.getSpec().getFinalizers())) {
            Check.each(errs, "spec.finalizers", f, Names.qualifiedName(f));
            if (!f.contains("/") && !"kubernetes".equals(f)) {
                errs.add(FieldError.invalid("spec.finalizers", f, "name is neither a standard finalizer name nor is it fully qualified"));
            }
        }
    }

    static void node(List<FieldError> errs, Node node) {
        if (node.getSpec() == null) return;
        var spec = node.getSpec();
        List<String> cidrs = list(spec.getPodCIDRs());
        for (int i = 0; i < cidrs.size(); i++) {
            if (!Net.isCIDR(cidrs.get(i))) errs.add(FieldError.invalid("spec.podCIDRs[" + i + "]", cidrs.get(i), "must be a valid CIDR"));
        }
        if (!isEmpty(spec.getPodCIDR()) && !Net.isCIDR(spec.getPodCIDR())) {
            errs.add(FieldError.invalid("spec.podCIDR", spec.getPodCIDR(), "must be a valid CIDR"));
        }
        List<Taint> taints = list(spec.getTaints());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < taints.size(); i++) {
            Taint t = taints.get(i);
            String p = "spec.taints[" + i + "]";
            errs.addAll(Labels.validateKey(t.getKey(), p + ".key"));
            if (!isEmpty(t.getValue())) Check.each(errs, p + ".value", t.getValue(), Names.labelValue(t.getValue()));
            Check.oneOf(errs, p + ".effect", t.getEffect(), PodValidation.TAINT_EFFECTS);
            if (!seen.add(t.getKey() + ":" + t.getEffect())) {
                errs.add(FieldError.duplicate(p, "taints must be unique by key and effect pair"));
            }
        }
    }

    static void nodeUpdate(List<FieldError> errs, Node node, Node old) {
        var spec = node.getSpec();
        var oldSpec = old.getSpec();
        if (spec == null || oldSpec == null) return;
        if (!list(oldSpec.getPodCIDRs()).isEmpty() && !Check.same(oldSpec.getPodCIDRs(), spec.getPodCIDRs())) {
            errs.add(FieldError.forbidden("spec.podCIDRs", "node updates may not change podCIDR except from \"\" to valid"));
        }
        if (!isEmpty(oldSpec.getProviderID()) && !Objects.equals(oldSpec.getProviderID(), spec.getProviderID())) {
            errs.add(FieldError.forbidden("spec.providerID", "node updates may not change providerID except from \"\" to valid"));
        }
    }

    // ---- rbac ------------------------------------------------------------------------------------

    static void rules(List<FieldError> errs, List<PolicyRule> rules, boolean namespaced, String path) {
        for (int i = 0; i < rules.size(); i++) {
            PolicyRule r = rules.get(i);
            String p = path + "[" + i + "]";
            if (list(r.getVerbs()).isEmpty()) errs.add(FieldError.required(p + ".verbs", "verbs must contain at least one value"));
            List<String> urls = list(r.getNonResourceURLs());
            if (!urls.isEmpty()) {
                if (namespaced) {
                    errs.add(FieldError.invalid(p + ".nonResourceURLs", Check.render(urls), "namespaced rules cannot apply to non-resource URLs"));
                }
                if (!list(r.getApiGroups()).isEmpty() || !list(r.getResources()).isEmpty() || !list(r.getResourceNames()).isEmpty()) {
                    errs.add(FieldError.invalid(p + ".nonResourceURLs", Check.render(urls),
                            "rules cannot apply to both regular resources and non-resource URLs"));
                }
                continue;
            }
            if (list(r.getApiGroups()).isEmpty()) {
                errs.add(FieldError.required(p + ".apiGroups", "resource rules must supply at least one api group"));
            }
            if (list(r.getResources()).isEmpty()) {
                errs.add(FieldError.required(p + ".resources", "resource rules must supply at least one resource"));
            }
        }
    }

    static void roleRef(List<FieldError> errs, RoleRef ref, boolean clusterBinding) {
        if (ref == null) {
            errs.add(FieldError.required("roleRef", ""));
            return;
        }
        if (!RBAC_GROUP.equals(ref.getApiGroup())) {
            errs.add(FieldError.notSupported("roleRef.apiGroup", ref.getApiGroup(), List.of(RBAC_GROUP)));
        }
        List<String> kinds = clusterBinding ? List.of("ClusterRole") : List.of("ClusterRole", "Role");
        if (!kinds.contains(ref.getKind())) errs.add(FieldError.notSupported("roleRef.kind", ref.getKind(), kinds));
        if (isEmpty(ref.getName())) {
            errs.add(FieldError.required("roleRef.name", ""));
        } else {
            Check.each(errs, "roleRef.name", ref.getName(), Names.pathSegmentName(ref.getName()));
        }
    }

    static void subjects(List<FieldError> errs, List<Subject> subjects, boolean clusterBinding) {
        for (int i = 0; i < subjects.size(); i++) {
            Subject s = subjects.get(i);
            String p = "subjects[" + i + "]";
            if (isEmpty(s.getName())) errs.add(FieldError.required(p + ".name", ""));
            switch (String.valueOf(s.getKind())) {
                case "ServiceAccount" -> {
                    if (!isEmpty(s.getName())) Check.each(errs, p + ".name", s.getName(), Names.dns1123Subdomain(s.getName()));
                    if (!isEmpty(s.getApiGroup())) errs.add(FieldError.notSupported(p + ".apiGroup", s.getApiGroup(), List.of("")));
                    if (clusterBinding && isEmpty(s.getNamespace())) errs.add(FieldError.required(p + ".namespace", ""));
                }
                case "User", "Group" -> {
                    if (!RBAC_GROUP.equals(s.getApiGroup())) {
                        errs.add(FieldError.notSupported(p + ".apiGroup", s.getApiGroup(), List.of(RBAC_GROUP)));
                    }
                }
                default -> errs.add(FieldError.notSupported(p + ".kind", s.getKind(), List.of("ServiceAccount", "User", "Group")));
            }
        }
    }

    static void roleRefUpdate(List<FieldError> errs, RoleRef ref, RoleRef old) {
        if (!Check.same(ref, old)) errs.add(FieldError.invalid("roleRef", Check.render(ref), "cannot change roleRef"));
    }

    // ---- autoscaling -----------------------------------------------------------------------------

    private static void scaleTarget(List<FieldError> errs, String kind, String name) {
        if (isEmpty(kind)) errs.add(FieldError.required("spec.scaleTargetRef.kind", ""));
        else Check.each(errs, "spec.scaleTargetRef.kind", kind, Names.pathSegmentName(kind));
        if (isEmpty(name)) errs.add(FieldError.required("spec.scaleTargetRef.name", ""));
        else Check.each(errs, "spec.scaleTargetRef.name", name, Names.pathSegmentName(name));
    }

    private static void replicas(List<FieldError> errs, Integer min, int max) {
        if (min != null && min < 1) errs.add(FieldError.invalid("spec.minReplicas", min, "must be greater than or equal to 1"));
        if (max < 1) errs.add(FieldError.invalid("spec.maxReplicas", max, "must be greater than 0"));
        if (min != null && max < min) {
            errs.add(FieldError.invalid("spec.maxReplicas", max, "must be greater than or equal to `minReplicas`"));
        }
    }

    static void hpaV1(List<FieldError> errs, io.fabric8.kubernetes.api.model.autoscaling.v1.HorizontalPodAutoscaler hpa) {
        var spec = hpa.getSpec();
        if (spec == null) {
            errs.add(FieldError.required("spec", ""));
            return;
        }
        var ref = spec.getScaleTargetRef();
        scaleTarget(errs, ref == null ? null : ref.getKind(), ref == null ? null : ref.getName());
        replicas(errs, spec.getMinReplicas(), spec.getMaxReplicas() == null ? 0 : spec.getMaxReplicas());
        if (spec.getTargetCPUUtilizationPercentage() != null && spec.getTargetCPUUtilizationPercentage() < 1) {
            errs.add(FieldError.invalid("spec.targetCPUUtilizationPercentage", spec.getTargetCPUUtilizationPercentage(),
                    "must be greater than or equal to 1"));
        }
    }

    static final List<String> METRIC_TYPES = List.of("ContainerResource", "External", "Object", "Pods", "Resource");

    static void hpaV2(List<FieldError> errs, io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler hpa) {
        var spec = hpa.getSpec();
        if (spec == null) {
            errs.add(FieldError.required("spec", ""));
            return;
        }
        var ref = spec.getScaleTargetRef();
        scaleTarget(errs, ref == null ? null : ref.getKind(), ref == null ? null : ref.getName());
        replicas(errs, spec.getMinReplicas(), spec.getMaxReplicas() == null ? 0 : spec.getMaxReplicas());
        var metrics = list(spec.getMetrics());
        for (int i = 0; i < metrics.size(); i++) {
            var m = metrics.get(i);
            String p = "spec.metrics[" + i + "]";
            if (isEmpty(m.getType())) {
                errs.add(FieldError.required(p + ".type", "must specify a metric source type"));
                continue;
            }
            if (!METRIC_TYPES.contains(m.getType())) {
                errs.add(FieldError.notSupported(p + ".type", m.getType(), METRIC_TYPES));
                continue;
            }
            switch (m.getType()) {
                case "Resource" -> {
                    if (m.getResource() == null) {
                        errs.add(FieldError.required(p + ".resource", "must populate information for the given metric source"));
                    } else {
                        if (isEmpty(m.getResource().getName())) errs.add(FieldError.required(p + ".resource.name", "must specify a resource name"));
                        target(errs, m.getResource().getTarget(), p + ".resource.target", true);
                    }
                }
                case "ContainerResource" -> {
                    if (m.getContainerResource() == null) {
                        errs.add(FieldError.required(p + ".containerResource", "must populate information for the given metric source"));
                    } else {
                        if (isEmpty(m.getContainerResource().getName())) {
                            errs.add(FieldError.required(p + ".containerResource.name", "must specify a resource name"));
                        }
                        if (isEmpty(m.getContainerResource().getContainer())) {
                            errs.add(FieldError.required(p + ".containerResource.container", "must specify a container"));
                        }
                        target(errs, m.getContainerResource().getTarget(), p + ".containerResource.target", true);
                    }
                }
                case "Pods" -> {
                    if (m.getPods() == null) errs.add(FieldError.required(p + ".pods", "must populate information for the given metric source"));
                    else target(errs, m.getPods().getTarget(), p + ".pods.target", false);
                }
                case "Object" -> {
                    if (m.getObject() == null) errs.add(FieldError.required(p + ".object", "must populate information for the given metric source"));
                    else target(errs, m.getObject().getTarget(), p + ".object.target", false);
                }
                case "External" -> {
                    if (m.getExternal() == null) errs.add(FieldError.required(p + ".external", "must populate information for the given metric source"));
                    else target(errs, m.getExternal().getTarget(), p + ".external.target", false);
                }
                default -> { }
            }
        }
        if (spec.getBehavior() != null) {
            scalingRules(errs, spec.getBehavior().getScaleUp(), "spec.behavior.scaleUp");
            scalingRules(errs, spec.getBehavior().getScaleDown(), "spec.behavior.scaleDown");
        }
    }

    private static void target(List<FieldError> errs, MetricTarget t, String p, boolean resource) {
        if (t == null) {
            errs.add(FieldError.required(p, "must specify a metric target"));
            return;
        }
        Check.oneOf(errs, p + ".type", t.getType(), List.of("AverageValue", "Utilization", "Value"));
        if (t.getAverageUtilization() != null && t.getAverageUtilization() < 1) {
            errs.add(FieldError.invalid(p + ".averageUtilization", t.getAverageUtilization(), "must be greater than 0"));
        }
        if ("Utilization".equals(t.getType()) && t.getAverageUtilization() == null) {
            errs.add(FieldError.required(p + ".averageUtilization", "must set either a target raw value or a target utilization"));
        }
        if ("AverageValue".equals(t.getType()) && t.getAverageValue() == null) {
            errs.add(FieldError.required(p + ".averageValue", "must set either a target raw value or a target utilization"));
        }
        if ("Value".equals(t.getType())) {
            if (resource) errs.add(FieldError.invalid(p + ".type", t.getType(), "must be either Utilization or AverageValue"));
            else if (t.getValue() == null) errs.add(FieldError.required(p + ".value", "must set either a target value or averageValue"));
        }
        if (t.getAverageValue() != null) positiveQuantity(errs, p + ".averageValue", t.getAverageValue());
        if (t.getValue() != null) positiveQuantity(errs, p + ".value", t.getValue());
    }

    private static void positiveQuantity(List<FieldError> errs, String p, Quantity q) {
        BigDecimal a = Check.quantity(errs, p, q);
        if (a != null && a.signum() <= 0) errs.add(FieldError.invalid(p, q.toString(), "must be positive"));
    }

    private static void scalingRules(List<FieldError> errs, HPAScalingRules r, String p) {
        if (r == null) return;
        Check.oneOfIfSet(errs, p + ".selectPolicy", r.getSelectPolicy(), List.of("Disabled", "Max", "Min"));
        Integer w = r.getStabilizationWindowSeconds();
        if (w != null && w < 0) errs.add(FieldError.invalid(p + ".stabilizationWindowSeconds", w, "must be greater than or equal to zero"));
        if (w != null && w > 3600) errs.add(FieldError.invalid(p + ".stabilizationWindowSeconds", w, "must be less than or equal to 3600"));
        var policies = list(r.getPolicies());
        if (policies.isEmpty() && r.getPolicies() != null) {
            errs.add(FieldError.required(p + ".policies", "must specify at least one Policy"));
        }
        for (int i = 0; i < policies.size(); i++) {
            var pol = policies.get(i);
            String pp = p + ".policies[" + i + "]";
            Check.oneOf(errs, pp + ".type", pol.getType(), List.of("Percent", "Pods"));
            if (pol.getValue() == null || pol.getValue() <= 0) errs.add(FieldError.invalid(pp + ".value", pol.getValue(), Check.NOT_POSITIVE));
            Integer ps = pol.getPeriodSeconds();
            if (ps == null || ps <= 0) errs.add(FieldError.invalid(pp + ".periodSeconds", ps, Check.NOT_POSITIVE));
            else if (ps > 1800) errs.add(FieldError.invalid(pp + ".periodSeconds", ps, "must be less than or equal to 1800"));
        }
    }

    // ---- policy, scheduling, coordination, certificates -------------------------------------------

    static void pdb(List<FieldError> errs, PodDisruptionBudget pdb) {
        var spec = pdb.getSpec();
        if (spec == null) return;
        if (spec.getMinAvailable() != null && spec.getMaxUnavailable() != null) {
            errs.add(FieldError.invalid("spec", Check.render(spec), "minAvailable and maxUnavailable cannot be both set"));
        }
        for (var e : Map.of("spec.minAvailable", java.util.Optional.ofNullable(spec.getMinAvailable()),
                "spec.maxUnavailable", java.util.Optional.ofNullable(spec.getMaxUnavailable())).entrySet()) {
            if (e.getValue().isEmpty()) continue;
            Check.intOrPercent(errs, e.getKey(), e.getValue().get());
            if (Check.percentOf(e.getValue().get()) > 100) {
                errs.add(FieldError.invalid(e.getKey(), Check.render(e.getValue().get()), "must not be greater than 100%"));
            }
        }
        errs.addAll(LabelSelector.validate(spec.getSelector(), "spec.selector"));
        Check.oneOfIfSet(errs, "spec.unhealthyPodEvictionPolicy", spec.getUnhealthyPodEvictionPolicy(),
                List.of("AlwaysAllow", "IfHealthyBudget"));
    }

    static final int HIGHEST_USER_PRIORITY = 1_000_000_000;
    static final List<String> SYSTEM_PRIORITY_CLASSES = List.of("system-cluster-critical", "system-node-critical");

    static void priorityClass(List<FieldError> errs, PriorityClass pc) {
        String name = pc.getMetadata() == null ? null : pc.getMetadata().getName();
        if (name != null && name.startsWith("system-") && !SYSTEM_PRIORITY_CLASSES.contains(name)) {
            errs.add(FieldError.forbidden("metadata.name", "priority class names with 'system-' prefix are reserved for system use only"));
        }
        if (pc.getValue() != null && pc.getValue() > HIGHEST_USER_PRIORITY && !SYSTEM_PRIORITY_CLASSES.contains(name)) {
            errs.add(FieldError.forbidden("value", "maximum allowed value of a user defined priority is " + HIGHEST_USER_PRIORITY));
        }
        Check.oneOfIfSet(errs, "preemptionPolicy", pc.getPreemptionPolicy(), List.of("Never", "PreemptLowerPriority"));
    }

    static void priorityClassUpdate(List<FieldError> errs, PriorityClass pc, PriorityClass old) {
        if (!Objects.equals(pc.getValue(), old.getValue())) errs.add(FieldError.forbidden("value", "may not be changed in an update."));
        Check.immutable(errs, "preemptionPolicy", pc.getPreemptionPolicy(), old.getPreemptionPolicy());
    }

    static void lease(List<FieldError> errs, Lease lease) {
        var spec = lease.getSpec();
        if (spec == null) return;
        if (spec.getLeaseDurationSeconds() != null && spec.getLeaseDurationSeconds() <= 0) {
            errs.add(FieldError.invalid("spec.leaseDurationSeconds", spec.getLeaseDurationSeconds(), "must be greater than 0"));
        }
        Check.nonNegative(errs, "spec.leaseTransitions", spec.getLeaseTransitions());
    }

    static final List<String> KEY_USAGES = List.of("signing", "digital signature", "content commitment", "key encipherment",
            "key agreement", "data encipherment", "cert sign", "crl sign", "encipher only", "decipher only", "any",
            "server auth", "client auth", "code signing", "email protection", "s/mime", "ipsec end system",
            "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing", "microsoft sgc", "netscape sgc");

    static void csr(List<FieldError> errs, CertificateSigningRequest csr) {
        var spec = csr.getSpec();
        if (spec == null) {
            errs.add(FieldError.required("spec", ""));
            return;
        }
        if (isEmpty(spec.getRequest())) {
            errs.add(FieldError.required("spec.request", ""));
        } else {
            String problem = parseRequest(spec.getRequest());
            if (problem != null) errs.add(FieldError.invalid("spec.request", spec.getRequest(), problem));
        }
        if (isEmpty(spec.getSignerName())) {
            errs.add(FieldError.required("spec.signerName", ""));
        } else {
            String[] parts = spec.getSignerName().split("/", -1);
            if (parts.length < 2 || parts[0].isEmpty() || parts[parts.length - 1].isEmpty()
                    || !Names.dns1123Subdomain(parts[0]).isEmpty()) {
                errs.add(FieldError.invalid("spec.signerName", spec.getSignerName(),
                        "must be a fully qualified domain and path of the form 'example.com/signer-name'"));
            }
        }
        List<String> usages = list(spec.getUsages());
        if (usages.isEmpty()) errs.add(FieldError.required("spec.usages", ""));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < usages.size(); i++) {
            if (!KEY_USAGES.contains(usages.get(i))) {
                errs.add(FieldError.notSupported("spec.usages[" + i + "]", usages.get(i), KEY_USAGES));
            } else if (!seen.add(usages.get(i))) {
                errs.add(FieldError.duplicate("spec.usages[" + i + "]", usages.get(i)));
            }
        }
        if (spec.getExpirationSeconds() != null && spec.getExpirationSeconds() < 600) {
            errs.add(FieldError.invalid("spec.expirationSeconds", spec.getExpirationSeconds(), "may not specify a duration less than 600 seconds (10 minutes)"));
        }
    }

    /** Null when the base64 request holds one PEM CERTIFICATE REQUEST that parses; the problem otherwise. */
    private static String parseRequest(String base64) {
        byte[] pem;
        try {
            pem = java.util.Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return "PEM block type must be CERTIFICATE REQUEST";
        }
        try (var reader = new org.bouncycastle.openssl.PEMParser(new StringReader(new String(pem, java.nio.charset.StandardCharsets.US_ASCII)))) {
            Object o = reader.readObject();
            if (!(o instanceof org.bouncycastle.pkcs.PKCS10CertificationRequest)) {
                return "PEM block type must be CERTIFICATE REQUEST";
            }
            return null;
        } catch (Exception e) {
            return "PEM block type must be CERTIFICATE REQUEST";
        }
    }

    // ---- quotas and limits -----------------------------------------------------------------------

    static void resourceQuota(List<FieldError> errs, ResourceQuota rq) {
        var spec = rq.getSpec();
        if (spec == null) return;
        for (var e : map(spec.getHard()).entrySet()) {
            String p = "spec.hard[" + e.getKey() + "]";
            Check.each(errs, p, e.getKey(), Names.qualifiedName(e.getKey()));
            Check.nonNegativeQuantity(errs, p, e.getValue());
        }
        List<String> scopes = List.of("BestEffort", "CrossNamespacePodAffinity", "NotBestEffort", "NotTerminating",
                "PriorityClass", "Terminating", "VolumeAttributesClass");
        for (String s : list(spec.getScopes())) {
            if (!scopes.contains(s)) errs.add(FieldError.notSupported("spec.scopes", s, scopes));
        }
        if (spec.getScopeSelector() != null) {
            var exprs = list(spec.getScopeSelector().getMatchExpressions());
            for (int i = 0; i < exprs.size(); i++) {
                String p = "spec.scopeSelector.matchExpressions[" + i + "]";
                var ex = exprs.get(i);
                if (!scopes.contains(ex.getScopeName())) errs.add(FieldError.notSupported(p + ".scopeName", ex.getScopeName(), scopes));
                Check.oneOf(errs, p + ".operator", ex.getOperator(), List.of("DoesNotExist", "Exists", "In", "NotIn"));
                if (List.of("In", "NotIn").contains(ex.getOperator()) && list(ex.getValues()).isEmpty()) {
                    errs.add(FieldError.required(p + ".values", "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
                }
            }
        }
    }

    static void limitRange(List<FieldError> errs, LimitRange lr) {
        if (lr.getSpec() == null) return;
        var limits = list(lr.getSpec().getLimits());
        Set<String> types = new HashSet<>();
        for (int i = 0; i < limits.size(); i++) {
            LimitRangeItem item = limits.get(i);
            String p = "spec.limits[" + i + "]";
            String type = item.getType();
            if (isEmpty(type)) {
                errs.add(FieldError.required(p + ".type", ""));
            } else if (!types.add(type)) {
                errs.add(FieldError.duplicate(p + ".type", type));
            }
            if ("Pod".equals(type)) {
                if (!map(item.getDefault()).isEmpty()) errs.add(FieldError.forbidden(p + ".default", "may not be specified when `type` is 'Pod'"));
                if (!map(item.getDefaultRequest()).isEmpty()) errs.add(FieldError.forbidden(p + ".defaultRequest", "may not be specified when `type` is 'Pod'"));
            }
            Set<String> keys = new java.util.TreeSet<>();
            keys.addAll(map(item.getMax()).keySet());
            keys.addAll(map(item.getMin()).keySet());
            keys.addAll(map(item.getDefault()).keySet());
            keys.addAll(map(item.getDefaultRequest()).keySet());
            keys.addAll(map(item.getMaxLimitRequestRatio()).keySet());
            for (String k : keys) {
                Quantity max = map(item.getMax()).get(k);
                Quantity min = map(item.getMin()).get(k);
                Quantity def = map(item.getDefault()).get(k);
                Quantity defReq = map(item.getDefaultRequest()).get(k);
                Quantity ratio = map(item.getMaxLimitRequestRatio()).get(k);
                BigDecimal maxA = Check.quantity(errs, p + ".max[" + k + "]", max);
                BigDecimal minA = Check.quantity(errs, p + ".min[" + k + "]", min);
                BigDecimal defA = Check.quantity(errs, p + ".default[" + k + "]", def);
                BigDecimal defReqA = Check.quantity(errs, p + ".defaultRequest[" + k + "]", defReq);
                BigDecimal ratioA = Check.quantity(errs, p + ".maxLimitRequestRatio[" + k + "]", ratio);
                if (minA != null && maxA != null && minA.compareTo(maxA) > 0) {
                    errs.add(FieldError.invalid(p + ".min[" + k + "]", min.toString(), "min value " + min + " is greater than max value " + max));
                }
                if (defReqA != null && minA != null && minA.compareTo(defReqA) > 0) {
                    errs.add(FieldError.invalid(p + ".defaultRequest[" + k + "]", defReq.toString(),
                            "min value " + min + " is greater than default request value " + defReq));
                }
                if (defReqA != null && maxA != null && defReqA.compareTo(maxA) > 0) {
                    errs.add(FieldError.invalid(p + ".defaultRequest[" + k + "]", defReq.toString(),
                            "default request value " + defReq + " is greater than max value " + max));
                }
                if (defReqA != null && defA != null && defReqA.compareTo(defA) > 0) {
                    errs.add(FieldError.invalid(p + ".defaultRequest[" + k + "]", defReq.toString(),
                            "default request value " + defReq + " is greater than default limit value " + def));
                }
                if (defA != null && minA != null && minA.compareTo(defA) > 0) {
                    errs.add(FieldError.invalid(p + ".default[" + k + "]", min.toString(), "min value " + min + " is greater than default value " + def));
                }
                if (defA != null && maxA != null && defA.compareTo(maxA) > 0) {
                    errs.add(FieldError.invalid(p + ".default[" + k + "]", max.toString(), "default value " + def + " is greater than max value " + max));
                }
                if (ratioA != null) {
                    if (ratioA.compareTo(BigDecimal.ONE) < 0) {
                        errs.add(FieldError.invalid(p + ".maxLimitRequestRatio[" + k + "]", ratio.toString(), "ratio " + ratio + " is less than 1"));
                    }
                    if (maxA != null && minA != null && minA.signum() > 0
                            && ratioA.compareTo(maxA.divide(minA, java.math.MathContext.DECIMAL64)) > 0) {
                        errs.add(FieldError.invalid(p + ".maxLimitRequestRatio[" + k + "]", ratio.toString(),
                                "ratio " + ratio + " is greater than max/min = " + maxA.divide(minA, java.math.MathContext.DECIMAL64).toPlainString()));
                    }
                }
            }
        }
    }
}
