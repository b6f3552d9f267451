package dev.berth.core.apiserver.admission;

import dev.berth.core.api.ApiException;
import dev.berth.core.api.quota.Amount;
import dev.berth.core.api.quota.QuotaEvaluation;
import dev.berth.core.apiserver.ResourceStorage;
import dev.berth.core.apiserver.cache.CachedObject;
import dev.berth.core.apiserver.registry.ResourceType;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeItem;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Kubernetes' LimitRanger admission: new pods get the {@code default} limits and
 * {@code defaultRequest} requests of the namespace's Container limit ranges, then pods and
 * persistent volume claims are checked against min, max and maxLimitRequestRatio.
 */
public final class LimitRanger implements AdmissionPlugin {
    /** The annotation naming what LimitRanger set, as Kubernetes writes it. */
    public static final String ANNOTATION = "kubernetes.io/limit-ranger";

    private final ResourceStorage storage;
    private final ResourceType limitRanges;

    public LimitRanger(ResourceStorage storage, ResourceType limitRanges) {
        this.storage = storage;
        this.limitRanges = limitRanges;
    }

    @Override
    public void mutate(AdmissionRequest r) {
        if (r.object() instanceof Pod pod && r.operation() == AdmissionRequest.Operation.CREATE
                && r.subresource().isEmpty() && pod.getSpec() != null) {
            storage.fresh();
            List<LimitRange> ranges = rangesOf(r.namespace());
            if (!ranges.isEmpty()) {
                applyDefaults(pod, ranges);
            }
        }
    }

    @Override
    public void validate(AdmissionRequest r) {
        if (!r.subresource().isEmpty()) {
            return;
        }
        List<String> errors = new ArrayList<>();
        if (r.object() instanceof Pod pod && r.operation() == AdmissionRequest.Operation.CREATE && pod.getSpec() != null) {
            for (LimitRange lr : rangesOf(r.namespace())) {
                errors.addAll(podErrors(lr, pod));
            }
        } else if (r.object() instanceof PersistentVolumeClaim pvc && r.operation() != AdmissionRequest.Operation.DELETE) {
            storage.fresh();
            for (LimitRange lr : rangesOf(r.namespace())) {
                errors.addAll(pvcErrors(lr, pvc));
            }
        }
        if (!errors.isEmpty()) {
            throw forbidden(r.type(), r.object().getMetadata().getName(), aggregate(errors));
        }
    }

    /** The namespace's ranges as cached (the caller waits for the cache to be fresh where it matters). */
    private List<LimitRange> rangesOf(String ns) {
        List<LimitRange> out = new ArrayList<>();
        for (CachedObject o : storage.cache().resource(limitRanges.storage()).list(limitRanges.namespacePrefix(ns))) {
            out.add((LimitRange) storage.typed(limitRanges, o));
        }
        return out;
    }

    /** Kubernetes' Forbidden: {@code pods "web" is forbidden: MESSAGE}. */
    static ApiException forbidden(ResourceType type, String name, String message) {
        String resource = type.group().isEmpty() ? type.resource() : type.resource() + "." + type.group();
        return ApiException.forbidden(resource + " \"" + name + "\" is forbidden: " + message);
    }

    /** Kubernetes' aggregate error: one message alone, several as "[a, b]", repeats dropped. */
    static String aggregate(List<String> errors) {
        List<String> distinct = new ArrayList<>(new LinkedHashSet<>(errors));
        return distinct.size() == 1 ? distinct.getFirst() : "[" + String.join(", ", distinct) + "]";
    }

    // ---- defaults --------------------------------------------------------------------------------

    /** Sets the Container ranges' default limits and requests where a container lacks them; records what it set. */
    static void applyDefaults(Pod pod, List<LimitRange> ranges) {
        Map<String, Quantity> limits = new TreeMap<>();
        Map<String, Quantity> requests = new TreeMap<>();
        for (LimitRange lr : ranges) {
            for (LimitRangeItem item : items(lr)) {
                if ("Container".equals(item.getType())) {
                    if (item.getDefault() != null) limits.putAll(item.getDefault());
                    if (item.getDefaultRequest() != null) requests.putAll(item.getDefaultRequest());
                }
            }
        }
        if (limits.isEmpty() && requests.isEmpty()) {
            return;
        }
        List<String> set = new ArrayList<>();
        for (Container c : pod.getSpec().getContainers()) {
            merge(c, limits, requests, "container", set);
        }
        for (Container c : pod.getSpec().getInitContainers()) {
            merge(c, limits, requests, "init container", set);
        }
        if (!set.isEmpty()) {
            Map<String, String> annotations = pod.getMetadata().getAnnotations() == null ? new LinkedHashMap<>()
                    : new LinkedHashMap<>(pod.getMetadata().getAnnotations());
            annotations.put(ANNOTATION, "LimitRanger plugin set: " + String.join("; ", set));
            pod.getMetadata().setAnnotations(annotations);
        }
    }

    private static void merge(Container c, Map<String, Quantity> limits, Map<String, Quantity> requests, String prefix,
                              List<String> set) {
        ResourceRequirements res = c.getResources() == null ? new ResourceRequirements() : c.getResources();
        Map<String, Quantity> lim = res.getLimits() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(res.getLimits());
        Map<String, Quantity> req = res.getRequests() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(res.getRequests());
        TreeSet<String> setLimits = new TreeSet<>();
        TreeSet<String> setRequests = new TreeSet<>();
        limits.forEach((k, v) -> {
            if (!lim.containsKey(k)) {
                lim.put(k, new Quantity(v.getAmount(), v.getFormat()));
                setLimits.add(k);
            }
        });
        requests.forEach((k, v) -> {
            if (!req.containsKey(k)) {
                req.put(k, new Quantity(v.getAmount(), v.getFormat()));
                setRequests.add(k);
            }
        });
        if (!setRequests.isEmpty()) {
            set.add(String.join(", ", setRequests) + " request for " + prefix + " " + c.getName());
        }
        if (!setLimits.isEmpty()) {
            set.add(String.join(", ", setLimits) + " limit for " + prefix + " " + c.getName());
        }
        if (!setLimits.isEmpty() || !setRequests.isEmpty()) {
            res.setLimits(lim);
            res.setRequests(req);
            c.setResources(res);
        }
    }

    // ---- validation ------------------------------------------------------------------------------

    /** The messages of every Container and Pod constraint of {@code lr} that the pod breaks. */
    static List<String> podErrors(LimitRange lr, Pod pod) {
        List<String> errs = new ArrayList<>();
        for (LimitRangeItem item : items(lr)) {
            String type = item.getType();
            if ("Container".equals(type)) {
                for (Container c : pod.getSpec().getContainers()) {
                    check(errs, type, item, map(c, true), map(c, false));
                }
                for (Container c : pod.getSpec().getInitContainers()) {
                    check(errs, type, item, map(c, true), map(c, false));
                }
            } else if ("Pod".equals(type)) {
                check(errs, type, item, amounts(QuotaEvaluation.podRequests(pod)), amounts(QuotaEvaluation.podLimits(pod)));
            }
        }
        return errs;
    }

    /** The messages of the PersistentVolumeClaim min and max (on requests) that the claim breaks. */
    static List<String> pvcErrors(LimitRange lr, PersistentVolumeClaim pvc) {
        List<String> errs = new ArrayList<>();
        Map<String, Amount> requests = new TreeMap<>();
        if (pvc.getSpec() != null && pvc.getSpec().getResources() != null && pvc.getSpec().getResources().getRequests() != null) {
            pvc.getSpec().getResources().getRequests().forEach((k, v) -> requests.put(k, Amount.of(v)));
        }
        for (LimitRangeItem item : items(lr)) {
            if (!"PersistentVolumeClaim".equals(item.getType())) {
                continue;
            }
            String type = item.getType();
            sorted(item.getMin()).forEach((k, min) -> {
                Amount req = requests.get(k);
                if (req == null) {
                    errs.add("minimum %s usage per %s is %s.  No request is specified".formatted(k, type, min));
                } else if (req.milliValue() < min.milliValue()) {
                    errs.add("minimum %s usage per %s is %s, but request is %s".formatted(k, type, min, req));
                }
            });
            sorted(item.getMax()).forEach((k, max) -> {
                Amount req = requests.get(k);
                if (req == null) {
                    errs.add("maximum %s usage per %s is %s.  No request is specified".formatted(k, type, max));
                } else if (req.milliValue() > max.milliValue()) {
                    errs.add("maximum %s usage per %s is %s, but request is %s".formatted(k, type, max, req));
                }
            });
        }
        return errs;
    }

    private static void check(List<String> errs, String type, LimitRangeItem item, Map<String, Amount> req,
                              Map<String, Amount> lim) {
        sorted(item.getMin()).forEach((k, min) -> {
            Amount r = req.get(k);
            Amount l = lim.get(k);
            if (r == null) {
                errs.add("minimum %s usage per %s is %s.  No request is specified".formatted(k, type, min));
            } else if (r.milliValue() < min.milliValue()) {
                errs.add("minimum %s usage per %s is %s, but request is %s".formatted(k, type, min, r));
            } else if (l != null && l.milliValue() < min.milliValue()) {
                errs.add("minimum %s usage per %s is %s, but limit is %s".formatted(k, type, min, l));
            }
        });
        sorted(item.getMax()).forEach((k, max) -> {
            Amount r = req.get(k);
            Amount l = lim.get(k);
            if (l == null) {
                errs.add("maximum %s usage per %s is %s.  No limit is specified".formatted(k, type, max));
            } else if (l.milliValue() > max.milliValue()) {
                errs.add("maximum %s usage per %s is %s, but limit is %s".formatted(k, type, max, l));
            } else if (r != null && r.milliValue() > max.milliValue()) {
                errs.add("maximum %s usage per %s is %s, but request is %s".formatted(k, type, max, r));
            }
        });
        sorted(item.getMaxLimitRequestRatio()).forEach((k, ratio) -> {
            Amount r = req.get(k);
            Amount l = lim.get(k);
            if (r == null || r.isZero()) {
                errs.add("%s max limit to request ratio per %s is %s, but no request is specified or request is 0"
                        .formatted(k, type, ratio));
            } else if (l == null || l.isZero()) {
                errs.add("%s max limit to request ratio per %s is %s, but no limit is specified or limit is 0"
                        .formatted(k, type, ratio));
            } else {
                double observed = (double) l.milliValue() / (double) r.milliValue();
                if (observed * 1000 > ratio.milliValue()) {
                    errs.add(String.format(Locale.ROOT, "%s max limit to request ratio per %s is %s, but provided ratio is %f",
                            k, type, ratio, observed));
                }
            }
        });
    }

    private static List<LimitRangeItem> items(LimitRange lr) {
        return lr.getSpec() == null || lr.getSpec().getLimits() == null ? List.of() : lr.getSpec().getLimits();
    }

    private static Map<String, Amount> sorted(Map<String, Quantity> m) {
        Map<String, Amount> out = new TreeMap<>();
        if (m != null) {
            m.forEach((k, v) -> out.put(k, Amount.of(v)));
        }
        return out;
    }

    private static Map<String, Amount> map(Container c, boolean requests) {
        if (c.getResources() == null) {
            return Map.of();
        }
        return sorted(requests ? c.getResources().getRequests() : c.getResources().getLimits());
    }

    private static Map<String, Amount> amounts(Map<String, Amount> m) {
        return m;
    }
}
