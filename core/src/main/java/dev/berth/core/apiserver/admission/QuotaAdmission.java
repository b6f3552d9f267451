package dev.berth.core.apiserver.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.api.quota.Amount;
import dev.berth.core.api.quota.QuotaEvaluation;
import dev.berth.core.api.quota.ResourceLists;
import dev.berth.core.apiserver.ResourceStorage;
import dev.berth.core.apiserver.TypedCodec;
import dev.berth.core.apiserver.auth.UserInfo;
import dev.berth.core.apiserver.cache.CachedObject;
import dev.berth.core.apiserver.registry.ResourceType;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ResourceQuota;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kubernetes' ResourceQuota admission: a new object (and a Service or PersistentVolumeClaim
 * growing on update) is charged to every quota of its namespace that limits what it uses and
 * whose scopes select it, and refused when a quota would be exceeded. The charge is written to
 * the quota's {@code status.used} conditionally on the quota's revision and retried on conflict,
 * so concurrent creates can never overshoot. The ResourceQuota controller later recomputes the
 * usage from the objects themselves, which also returns charges of writes that failed after
 * admission.
 *
 * <p>Berth reads the limits from {@code spec.hard}; a limited resource missing from
 * {@code status.used} means the controller has not computed the usage yet, and the write is
 * refused ("status unknown").
 */
public final class QuotaAdmission implements AdmissionPlugin {
    private static final UserInfo SYSTEM = new UserInfo("system:apiserver", List.of(UserInfo.MASTERS));
    private static final int MAX_ATTEMPTS = 50;

    private final ResourceStorage storage;
    private final ResourceType quotas;
    private final Clock clock;
    /** One charger at a time per namespace in this process; the conditional write guards across processes. */
    private final Map<String, Object> namespaceLocks = new ConcurrentHashMap<>();

    public QuotaAdmission(ResourceStorage storage, ResourceType quotas, Clock clock) {
        this.storage = storage;
        this.quotas = quotas;
        this.clock = clock;
    }

    @Override
    public void validate(AdmissionRequest r) {
        if (!r.subresource().isEmpty() || r.object() == null) {
            return;
        }
        String group = r.type().group();
        String resource = r.type().resource();
        boolean update = r.operation() == AdmissionRequest.Operation.UPDATE && group.isEmpty()
                && (resource.equals(QuotaEvaluation.SERVICES) || resource.equals(QuotaEvaluation.PVCS));
        if (r.operation() != AdmissionRequest.Operation.CREATE && !update) {
            return;
        }
        String ns = r.namespace();
        if (ns == null || ns.isEmpty() || !r.type().namespaced()) {
            return;
        }
        if (list(ns).isEmpty()) {
            return;
        }
        synchronized (namespaceLocks.computeIfAbsent(ns, k -> new Object())) {
            charge(r, ns, group, resource, update);
        }
    }

    private java.util.Collection<CachedObject> list(String ns) {
        return storage.cache().resource(quotas.storage()).list(quotas.namespacePrefix(ns));
    }

    private void charge(AdmissionRequest r, String ns, String group, String resource, boolean update) {
        HasMetadata obj = r.object();
        Set<String> charged = new HashSet<>();
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            storage.fresh();
            List<CachedObject> cached = new ArrayList<>(list(ns));
            cached.sort(Comparator.comparing(CachedObject::name));
            List<Charge> interesting = new ArrayList<>();
            for (CachedObject o : cached) {
                ResourceQuota q = (ResourceQuota) storage.typed(quotas, o);
                if (charged.contains(q.getMetadata().getUid())) {
                    continue;
                }
                SortedMap<String, Amount> hard = ResourceLists.of(q.getSpec() == null ? null : q.getSpec().getHard());
                if (!QuotaEvaluation.matches(q, hard.keySet(), group, resource, obj)) {
                    continue;
                }
                Set<String> restricted = QuotaEvaluation.matchingResources(group, resource, hard.keySet());
                if (obj instanceof Pod pod && group.isEmpty() && resource.equals(QuotaEvaluation.PODS)) {
                    String err = QuotaEvaluation.podConstraintsError(pod, restricted);
                    if (err != null) {
                        throw LimitRanger.forbidden(r.type(), name(obj), "failed quota: " + q.getMetadata().getName() + ": " + err);
                    }
                }
                SortedMap<String, Amount> used = ResourceLists.of(q.getStatus() == null ? null : q.getStatus().getUsed());
                if (!used.keySet().containsAll(restricted)) {
                    throw LimitRanger.forbidden(r.type(), name(obj), "status unknown for quota: " + q.getMetadata().getName()
                            + ", resource: " + String.join(",", restricted));
                }
                interesting.add(new Charge(o, q, hard, used));
            }
            if (interesting.isEmpty()) {
                return;
            }
            SortedMap<String, Amount> delta = QuotaEvaluation.usage(group, resource, obj, clock.instant());
            List<String> negative = delta.entrySet().stream().filter(e -> e.getValue().isNegative()).map(Map.Entry::getKey).toList();
            if (!negative.isEmpty()) {
                throw LimitRanger.forbidden(r.type(), name(obj), "quota usage is negative for resource(s): "
                        + String.join(",", negative));
            }
            if (update && r.old() != null && r.old().getMetadata().getResourceVersion() != null) {
                delta = ResourceLists.subtractNonNegative(delta, QuotaEvaluation.usage(group, resource, r.old(), clock.instant()));
            }
            delta = ResourceLists.removeZeros(delta);
            if (delta.isEmpty()) {
                return;
            }
            List<Charge> writes = new ArrayList<>();
            for (Charge c : interesting) {
                SortedMap<String, Amount> requested = ResourceLists.mask(delta, c.hard().keySet());
                SortedMap<String, Amount> newUsage = ResourceLists.add(c.used(), requested);
                SortedMap<String, Amount> masked = ResourceLists.mask(newUsage, requested.keySet());
                List<String> exceeded = ResourceLists.exceeded(masked, c.hard());
                if (!exceeded.isEmpty()) {
                    throw LimitRanger.forbidden(r.type(), name(obj), "exceeded quota: " + c.quota().getMetadata().getName()
                            + ", requested: " + ResourceLists.prettyPrint(ResourceLists.mask(requested, exceeded))
                            + ", used: " + ResourceLists.prettyPrint(ResourceLists.mask(c.used(), exceeded))
                            + ", limited: " + ResourceLists.prettyPrint(ResourceLists.mask(c.hard(), exceeded)));
                }
                if (!requested.isEmpty()) {
                    writes.add(new Charge(c.cached(), c.quota(), c.hard(), newUsage));
                }
            }
            if (r.dryRun()) {
                return;
            }
            boolean conflict = false;
            for (Charge c : writes) {
                if (!write(c)) {
                    conflict = true;
                    break;
                }
                charged.add(c.quota().getMetadata().getUid());
            }
            if (!conflict) {
                return;
            }
        }
        throw new ApiException(500, "InternalError", "Internal error occurred: resource quota evaluation timed out: "
                + "too many concurrent updates of the quotas of namespace " + ns);
    }

    /** Writes the new usage if the quota is unchanged since it was read; false on a conflict. */
    private boolean write(Charge c) {
        ObjectNode body = c.cached().tree().deepCopy();
        ((ObjectNode) body.get("metadata")).put("resourceVersion", Long.toString(c.cached().modRevision()));
        ObjectNode used = body.withObject("status").putObject("used");
        c.used().forEach((k, v) -> used.put(k, v.toString()));
        try {
            storage.update(quotas, c.cached().namespace(), c.cached().name(), body,
                    new ResourceStorage.WriteOptions(false, TypedCodec.FieldValidation.IGNORE, "kube-apiserver", SYSTEM,
                            new ArrayList<>()), "status");
            return true;
        } catch (ApiException e) {
            if (e.code() == 409 || e.code() == 404) {
                return false;
            }
            throw e;
        }
    }

    private static String name(HasMetadata obj) {
        return obj.getMetadata().getName();
    }

    private record Charge(CachedObject cached, ResourceQuota quota, SortedMap<String, Amount> hard,
                          SortedMap<String, Amount> used) {}
}
