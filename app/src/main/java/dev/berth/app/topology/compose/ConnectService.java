package dev.berth.app.topology.compose;

import dev.berth.core.api.FieldError;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.ServiceSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An edge drawn from a Service to a workload: the Service's selector is set to labels that the
 * workload's pods carry and no other workload's pods do. The labels the workload's own selector
 * matches are reused when they already identify it (the usual {@code app=web}); otherwise
 * {@code app.kubernetes.io/name=<workload>} is added to the pod template (never to the workload's
 * selector, which stays as it is: adding template labels keeps it matching). A Service without
 * ports gets one per container port.
 */
public final class ConnectService implements Command<Map<String, String>> {
    public static final String NAME_LABEL = "app.kubernetes.io/name";
    public static final String COMPONENT_LABEL = "app.kubernetes.io/component";
    /** Labels the Job controller sets on pods: they identify one run, not the workload. */
    private static final Set<String> JOB_LABELS = Set.of("controller-uid", "job-name",
            "batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-name");

    private final DraftKey service;
    private final DraftKey workload;

    public ConnectService(DraftKey service, DraftKey workload) {
        this.service = service;
        this.workload = workload;
    }

    @Override
    public String name() {
        return "Connect " + service.shortName() + " to " + workload.shortName();
    }

    /** Answers the selector the Service now has. */
    @Override
    public Map<String, String> execute(DraftSet drafts) {
        if (!service.kind().equals("Service")) {
            throw new CompositionException(service, FieldError.notSupported("kind", service.kind(), List.of("Service")));
        }
        if (!service.namespace().equals(workload.namespace())) {
            throw new CompositionException(service, FieldError.invalid("metadata.namespace", service.namespace(),
                    "a Service selects pods of its own namespace only; " + workload.shortName() + " is in "
                            + workload.namespace()));
        }
        Service svc = Objects2.typed(drafts.require(service), Service.class);
        Workload w = Workload.of(drafts, workload);
        if (svc.getSpec() == null) svc.setSpec(new ServiceSpec());
        if ("ExternalName".equals(svc.getSpec().getType())) {
            throw new CompositionException(service, FieldError.invalid("spec.type", "ExternalName",
                    "an ExternalName Service has no selector: change its type to ClusterIP first"));
        }

        Map<String, String> selector = identifying(drafts, w);
        w.podLabels().putAll(selector);
        svc.getSpec().setSelector(new LinkedHashMap<>(selector));
        if (svc.getSpec().getPorts() == null || svc.getSpec().getPorts().isEmpty()) {
            svc.getSpec().setPorts(portsOf(w));
        }
        // a workload without container ports leaves the Service without ports: the dry run shows that on the Service
        if (svc.getSpec().getPorts() == null || svc.getSpec().getPorts().isEmpty()) {
            Checks.fields(svc, "spec.selector");
        } else {
            Checks.fields(svc, "spec.selector", "spec.ports");
        }
        Checks.fields(w.object(), w.podMetaPath() + ".labels");
        drafts.put(w.generic());
        drafts.put(Objects2.generic(svc));
        return selector;
    }

    /** Labels that select this workload's pods and no other workload's in the namespace. */
    static Map<String, String> identifying(DraftSet drafts, Workload w) {
        Map<String, String> candidate = new LinkedHashMap<>();
        LabelSelector sel = w.selector();
        if (sel != null && sel.getMatchLabels() != null && !sel.getMatchLabels().isEmpty()) {
            candidate.putAll(sel.getMatchLabels());
        } else {
            w.podLabels().forEach((k, v) -> {
                if (!JOB_LABELS.contains(k)) {
                    candidate.put(k, v);
                }
            });
        }
        if (candidate.isEmpty() || !unique(drafts, w, candidate)) {
            candidate.put(NAME_LABEL, w.name());
            if (!unique(drafts, w, candidate)) {
                candidate.put(COMPONENT_LABEL, w.kind().toLowerCase(Locale.ROOT));
            }
        }
        return candidate;
    }

    private static boolean unique(DraftSet drafts, Workload self, Map<String, String> labels) {
        for (String kind : Workload.KINDS) {
            for (GenericKubernetesResource o : drafts.objects(kind, self.key().namespace())) {
                if (DraftKey.of(o).equals(self.key()) || controlled(o)) {
                    continue;
                }
                Map<String, String> podLabels = Workload.of(o).podLabels();
                if (podLabels.entrySet().containsAll(labels.entrySet())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Pods and ReplicaSets made by a controller carry their owner's labels: the owner stands for them. */
    private static boolean controlled(GenericKubernetesResource o) {
        List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
        return refs != null && refs.stream().anyMatch(r -> Boolean.TRUE.equals(r.getController()));
    }

    private static List<ServicePort> portsOf(Workload w) {
        List<ContainerPort> all = new ArrayList<>();
        w.containers().forEach(c -> {
            if (c.getPorts() != null) all.addAll(c.getPorts());
        });
        List<ServicePort> out = new ArrayList<>();
        Set<String> names = new java.util.HashSet<>();
        for (ContainerPort p : all) {
            String protocol = p.getProtocol() == null ? "TCP" : p.getProtocol();
            String name = null;
            if (all.size() > 1) {
                String base = p.getName() != null ? p.getName() : protocol.toLowerCase(Locale.ROOT) + "-" + p.getContainerPort();
                name = Names.unique(base, names);
                names.add(name);
            }
            out.add(new ServicePortBuilder().withName(name).withProtocol(protocol).withPort(p.getContainerPort())
                    .withTargetPort(new IntOrString(p.getContainerPort())).build());
        }
        return out;
    }
}
