package dev.berth.core.api.quota;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ScopedResourceSelectorRequirement;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Kubernetes' quota evaluators: which quota resources an object of a resource type touches,
 * how much it uses of them, whether a quota's scopes select it, and the pod constraints a
 * compute quota imposes. Objects are identified by their API group and resource (plural).
 */
public final class QuotaEvaluation {
    public static final String PODS = "pods";
    public static final String SERVICES = "services";
    public static final String PVCS = "persistentvolumeclaims";
    public static final String STORAGE_CLASS_SUFFIX = ".storageclass.storage.k8s.io/";
    /** The legacy object-count names of the core group, next to {@code count/RESOURCE}. */
    private static final Set<String> LEGACY_COUNTS = Set.of("configmaps", "secrets", "replicationcontrollers",
            "resourcequotas");
    private static final Set<String> POD_RESOURCES = Set.of("pods", "count/pods", "cpu", "memory", "ephemeral-storage",
            "requests.cpu", "requests.memory", "requests.ephemeral-storage", "limits.cpu", "limits.memory",
            "limits.ephemeral-storage");
    /** Quota names that make every container state its request or limit (Kubernetes' validationSet). */
    private static final Set<String> CONTAINER_CONSTRAINED = Set.of("cpu", "memory", "requests.cpu",
            "requests.memory", "limits.cpu", "limits.memory");
    private static final Set<String> SERVICE_RESOURCES = Set.of("services", "count/services", "services.nodeports",
            "services.loadbalancers");
    private static final Set<String> PVC_RESOURCES = Set.of("persistentvolumeclaims", "count/persistentvolumeclaims",
            "requests.storage");

    private QuotaEvaluation() {
    }

    /** {@code count/RESOURCE} for the core group, {@code count/RESOURCE.GROUP} otherwise. */
    public static String countName(String group, String resource) {
        return "count/" + resource + (group.isEmpty() ? "" : "." + group);
    }

    /** The names among {@code names} that objects of this type use. */
    public static Set<String> matchingResources(String group, String resource, Collection<String> names) {
        Set<String> out = new TreeSet<>();
        for (String n : names) {
            if (touches(group, resource, n)) {
                out.add(n);
            }
        }
        return out;
    }

    private static boolean touches(String group, String resource, String name) {
        if (name.equals(countName(group, resource))) {
            return true;
        }
        if (!group.isEmpty()) {
            return false;
        }
        return switch (resource) {
            case PODS -> POD_RESOURCES.contains(name) || name.startsWith("hugepages-")
                    || name.startsWith("requests.hugepages-") || isExtendedRequest(name);
            case SERVICES -> SERVICE_RESOURCES.contains(name);
            case PVCS -> PVC_RESOURCES.contains(name) || name.endsWith(STORAGE_CLASS_SUFFIX + "requests.storage")
                    || name.endsWith(STORAGE_CLASS_SUFFIX + PVCS);
            default -> LEGACY_COUNTS.contains(resource) && name.equals(resource);
        };
    }

    private static boolean isExtendedRequest(String name) {
        if (!name.startsWith("requests.")) {
            return false;
        }
        String r = name.substring("requests.".length());
        return r.contains("/") && !r.startsWith("kubernetes.io/") && !r.contains(".kubernetes.io/")
                && !r.startsWith("requests.");
    }

    /** What one object uses; {@code now} decides whether a deleting pod still counts. */
    public static SortedMap<String, Amount> usage(String group, String resource, HasMetadata obj, Instant now) {
        SortedMap<String, Amount> out = new TreeMap<>();
        out.put(countName(group, resource), Amount.count(1));
        if (!group.isEmpty()) {
            return out;
        }
        switch (obj) {
            case Pod pod when resource.equals(PODS) -> {
                if (countsAgainstQuota(pod, now)) {
                    out.putAll(ResourceLists.add(out, podComputeUsage(podRequests(pod), podLimits(pod))));
                }
            }
            case Service svc when resource.equals(SERVICES) -> out.putAll(serviceUsage(svc));
            case PersistentVolumeClaim pvc when resource.equals(PVCS) -> out.putAll(pvcUsage(pvc));
            default -> {
                if (LEGACY_COUNTS.contains(resource)) {
                    out.put(resource, Amount.count(1));
                }
            }
        }
        return out;
    }

    /**
     * Whether a pod's compute resources count: not Succeeded or Failed, and not past the end of
     * its deletion grace period (Kubernetes' QuotaV1Pod).
     */
    public static boolean countsAgainstQuota(Pod pod, Instant now) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return false;
        }
        var meta = pod.getMetadata();
        if (meta.getDeletionTimestamp() != null && meta.getDeletionGracePeriodSeconds() != null) {
            Instant deletion = OffsetDateTime.parse(meta.getDeletionTimestamp()).toInstant();
            return !now.isAfter(deletion.plusSeconds(meta.getDeletionGracePeriodSeconds()));
        }
        return true;
    }

    private static SortedMap<String, Amount> podComputeUsage(Map<String, Amount> requests, Map<String, Amount> limits) {
        SortedMap<String, Amount> out = new TreeMap<>();
        out.put("pods", Amount.count(1));
        for (String r : List.of("cpu", "memory", "ephemeral-storage")) {
            if (requests.containsKey(r)) {
                out.put(r, requests.get(r));
                out.put("requests." + r, requests.get(r));
            }
            if (limits.containsKey(r)) {
                out.put("limits." + r, limits.get(r));
            }
        }
        requests.forEach((r, q) -> {
            if (r.startsWith("hugepages-")) {
                out.put(r, q);
                out.put("requests." + r, q);
            } else if (r.contains("/") && !r.startsWith("kubernetes.io/") && !r.contains(".kubernetes.io/")) {
                out.put("requests." + r, q);
            }
        });
        return out;
    }

    /** The pod's effective requests: the containers' sum, or an init container's if larger, plus overhead. */
    public static SortedMap<String, Amount> podRequests(Pod pod) {
        return podTotal(pod, true);
    }

    public static SortedMap<String, Amount> podLimits(Pod pod) {
        return podTotal(pod, false);
    }

    private static SortedMap<String, Amount> podTotal(Pod pod, boolean requests) {
        SortedMap<String, Amount> sum = new TreeMap<>();
        if (pod.getSpec() == null) {
            return sum;
        }
        for (Container c : pod.getSpec().getContainers()) {
            sum = ResourceLists.add(sum, ResourceLists.of(resources(c, requests)));
        }
        for (Container c : pod.getSpec().getInitContainers()) {
            for (var e : ResourceLists.of(resources(c, requests)).entrySet()) {
                Amount cur = sum.get(e.getKey());
                if (cur == null || e.getValue().compareTo(cur) > 0) {
                    sum.put(e.getKey(), e.getValue());
                }
            }
        }
        if (pod.getSpec().getOverhead() != null && !pod.getSpec().getOverhead().isEmpty()) {
            SortedMap<String, Amount> overhead = ResourceLists.of(pod.getSpec().getOverhead());
            if (requests) {
                sum = ResourceLists.add(sum, overhead);
            } else {
                // overhead is added to limits only where a limit is set
                for (var e : overhead.entrySet()) {
                    sum.computeIfPresent(e.getKey(), (k, v) -> v.plus(e.getValue()));
                }
            }
        }
        return sum;
    }

    private static Map<String, Quantity> resources(Container c, boolean requests) {
        if (c.getResources() == null) {
            return Map.of();
        }
        Map<String, Quantity> m = requests ? c.getResources().getRequests() : c.getResources().getLimits();
        return m == null ? Map.of() : m;
    }

    private static Map<String, Amount> serviceUsage(Service svc) {
        Map<String, Amount> out = new LinkedHashMap<>();
        out.put("services", Amount.count(1));
        out.put("services.loadbalancers", Amount.ZERO);
        out.put("services.nodeports", Amount.ZERO);
        var spec = svc.getSpec();
        String type = spec == null || spec.getType() == null ? "ClusterIP" : spec.getType();
        List<ServicePort> ports = spec == null || spec.getPorts() == null ? List.of() : spec.getPorts();
        switch (type) {
            case "NodePort" -> out.put("services.nodeports", Amount.count(ports.size()));
            case "LoadBalancer" -> {
                long nodePorts = Boolean.FALSE.equals(spec.getAllocateLoadBalancerNodePorts())
                        ? ports.stream().filter(p -> p.getNodePort() != null && p.getNodePort() != 0).count()
                        : ports.size();
                out.put("services.nodeports", Amount.count(nodePorts));
                out.put("services.loadbalancers", Amount.count(1));
            }
            default -> {
            }
        }
        return out;
    }

    private static Map<String, Amount> pvcUsage(PersistentVolumeClaim pvc) {
        Map<String, Amount> out = new LinkedHashMap<>();
        out.put(PVCS, Amount.count(1));
        Amount storage = null;
        if (pvc.getSpec() != null && pvc.getSpec().getResources() != null
                && pvc.getSpec().getResources().getRequests() != null
                && pvc.getSpec().getResources().getRequests().get("storage") != null) {
            storage = Amount.of(pvc.getSpec().getResources().getRequests().get("storage"));
        }
        if (storage != null) {
            out.put("requests.storage", storage);
        }
        String sc = storageClassOf(pvc);
        if (!sc.isEmpty()) {
            out.put(sc + STORAGE_CLASS_SUFFIX + PVCS, Amount.count(1));
            if (storage != null) {
                out.put(sc + STORAGE_CLASS_SUFFIX + "requests.storage", storage);
            }
        }
        return out;
    }

    private static String storageClassOf(PersistentVolumeClaim pvc) {
        String beta = pvc.getMetadata().getAnnotations() == null ? null
                : pvc.getMetadata().getAnnotations().get("volume.beta.kubernetes.io/storage-class");
        if (beta != null) {
            return beta;
        }
        String sc = pvc.getSpec() == null ? null : pvc.getSpec().getStorageClassName();
        return sc == null ? "" : sc;
    }

    // ---- scopes ----------------------------------------------------------------------------------

    /** The quota's scopes and scope selector, as selector requirements (a scope means "Exists"). */
    public static List<ScopedResourceSelectorRequirement> scopeSelectors(ResourceQuota quota) {
        List<ScopedResourceSelectorRequirement> out = new ArrayList<>();
        if (quota.getSpec() == null) {
            return out;
        }
        if (quota.getSpec().getScopes() != null) {
            for (String s : quota.getSpec().getScopes()) {
                out.add(new ScopedResourceSelectorRequirement("Exists", s, List.of()));
            }
        }
        if (quota.getSpec().getScopeSelector() != null && quota.getSpec().getScopeSelector().getMatchExpressions() != null) {
            out.addAll(quota.getSpec().getScopeSelector().getMatchExpressions());
        }
        return out;
    }

    /**
     * Whether the quota applies to the object: it limits at least one resource the object uses
     * and every scope selects it. Only pods have scopes; a scoped quota matches nothing else.
     */
    public static boolean matches(ResourceQuota quota, Collection<String> hardNames, String group, String resource,
                                  HasMetadata obj) {
        if (matchingResources(group, resource, hardNames).isEmpty()) {
            return false;
        }
        for (ScopedResourceSelectorRequirement s : scopeSelectors(quota)) {
            if (!(obj instanceof Pod pod) || !group.isEmpty() || !resource.equals(PODS) || !scopeSelects(s, pod)) {
                return false;
            }
        }
        return true;
    }

    static boolean scopeSelects(ScopedResourceSelectorRequirement s, Pod pod) {
        String scope = s.getScopeName();
        return switch (scope == null ? "" : scope) {
            case "Terminating" -> isTerminating(pod);
            case "NotTerminating" -> !isTerminating(pod);
            case "BestEffort" -> isBestEffort(pod);
            case "NotBestEffort" -> !isBestEffort(pod);
            case "CrossNamespacePodAffinity" -> hasCrossNamespaceAffinity(pod);
            case "PriorityClass" -> {
                String pc = pod.getSpec() == null ? null : pod.getSpec().getPriorityClassName();
                boolean has = pc != null && !pc.isEmpty();
                List<String> values = s.getValues() == null ? List.of() : s.getValues();
                yield switch (s.getOperator() == null ? "" : s.getOperator()) {
                    case "Exists" -> has;
                    case "DoesNotExist" -> !has;
                    case "In" -> has && values.contains(pc);
                    case "NotIn" -> !has || !values.contains(pc);
                    default -> false;
                };
            }
            default -> false;
        };
    }

    private static boolean isTerminating(Pod pod) {
        Long d = pod.getSpec() == null ? null : pod.getSpec().getActiveDeadlineSeconds();
        return d != null && d >= 0;
    }

    /** BestEffort QoS: no container requests or limits any cpu or memory. */
    public static boolean isBestEffort(Pod pod) {
        if (pod.getSpec() == null) {
            return true;
        }
        return Stream.concat(pod.getSpec().getContainers().stream(), pod.getSpec().getInitContainers().stream())
                .noneMatch(c -> Stream.of(resources(c, true), resources(c, false))
                        .flatMap(m -> m.entrySet().stream())
                        .anyMatch(e -> (e.getKey().equals("cpu") || e.getKey().equals("memory"))
                                && !Amount.of(e.getValue()).isZero()));
    }

    private static boolean hasCrossNamespaceAffinity(Pod pod) {
        Affinity a = pod.getSpec() == null ? null : pod.getSpec().getAffinity();
        if (a == null) {
            return false;
        }
        List<PodAffinityTerm> terms = new ArrayList<>();
        for (var pa : Stream.of(a.getPodAffinity(), a.getPodAntiAffinity()).filter(x -> x != null).toList()) {
            if (pa instanceof io.fabric8.kubernetes.api.model.PodAffinity p) {
                terms.addAll(nonNull(p.getRequiredDuringSchedulingIgnoredDuringExecution()));
                nonNull(p.getPreferredDuringSchedulingIgnoredDuringExecution()).stream()
                        .map(WeightedPodAffinityTerm::getPodAffinityTerm).forEach(terms::add);
            } else if (pa instanceof io.fabric8.kubernetes.api.model.PodAntiAffinity p) {
                terms.addAll(nonNull(p.getRequiredDuringSchedulingIgnoredDuringExecution()));
                nonNull(p.getPreferredDuringSchedulingIgnoredDuringExecution()).stream()
                        .map(WeightedPodAffinityTerm::getPodAffinityTerm).forEach(terms::add);
            }
        }
        return terms.stream().anyMatch(t -> t != null
                && (t.getNamespaceSelector() != null || (t.getNamespaces() != null && !t.getNamespaces().isEmpty())));
    }

    private static <T> List<T> nonNull(List<T> l) {
        return l == null ? List.of() : l;
    }

    // ---- constraints -----------------------------------------------------------------------------

    /**
     * For a compute quota on cpu or memory, every container must state the request or limit it
     * counts; returns Kubernetes' "must specify limits.cpu for: c1,c2" or null.
     */
    public static String podConstraintsError(Pod pod, Collection<String> restricted) {
        Set<String> required = new TreeSet<>(restricted);
        required.retainAll(CONTAINER_CONSTRAINED);
        if (required.isEmpty() || pod.getSpec() == null) {
            return null;
        }
        SortedMap<String, TreeSet<String>> missing = new TreeMap<>();
        for (Container c : Stream.concat(pod.getSpec().getContainers().stream(),
                pod.getSpec().getInitContainers().stream()).toList()) {
            Set<String> has = podComputeUsage(ResourceLists.of(resources(c, true)), ResourceLists.of(resources(c, false)))
                    .keySet();
            for (String r : required) {
                if (!has.contains(r)) {
                    missing.computeIfAbsent(r, k -> new TreeSet<>()).add(c.getName());
                }
            }
        }
        if (missing.isEmpty()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        missing.forEach((r, names) -> parts.add(r + " for: " + String.join(",", names)));
        return "must specify " + String.join("; ", parts);
    }
}
