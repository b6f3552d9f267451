package dev.berth.app.topology.compose;

import dev.berth.core.api.FieldError;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * In-place edits of a workload, as the inspector makes them: replicas, and per container the
 * image, ports, environment, probes, resources and mount paths; the host of an Ingress rule. Each is checked with the API server's rules
 * before it is kept; a refused edit names the field, the value and the rule.
 */
public final class Edit {
    public enum ProbeKind { LIVENESS, READINESS, STARTUP }

    private Edit() {}

    public static Command<Void> replicas(DraftKey workload, int replicas) {
        return workload(workload, "Scale " + workload.shortName() + " to " + replicas, w -> {
            if (!w.hasReplicas()) {
                throw new CompositionException(workload, FieldError.forbidden("spec.replicas", "a " + w.kind() + " has no replicas"));
            }
            w.setReplicas(replicas);
            Checks.fields(w.object(), "spec.replicas");
        });
    }

    public static Command<Void> image(DraftKey workload, String container, String image) {
        return container(workload, container, "Set image of " + container + " to " + image, (w, c) -> {
            c.setImage(image);
            if (image == null || image.isBlank()) {
                throw new CompositionException(workload, FieldError.required(w.containerPath(container) + ".image",
                        "an image is needed"));
            }
            Checks.fields(w.object(), w.containerPath(container) + ".image");
        });
    }

    public static Command<Void> ports(DraftKey workload, String container, List<ContainerPort> ports) {
        return container(workload, container, "Set ports of " + container, (w, c) -> {
            List<ContainerPort> copy = new ArrayList<>();
            ports.forEach(p -> copy.add(new ContainerPortBuilder(p).build()));
            c.setPorts(copy.isEmpty() ? null : copy);
            String path = w.containerPath(container) + ".ports";
            for (int i = 0; i < copy.size(); i++) {
                for (int j = 0; j < i; j++) {
                    if (same(copy.get(i), copy.get(j))) {
                        throw new CompositionException(workload, FieldError.duplicate(path + "[" + i + "]",
                                copy.get(i).getContainerPort() + "/" + protocol(copy.get(i))));
                    }
                }
            }
            Checks.fields(w.object(), path);
        });
    }

    public static Command<Void> env(DraftKey workload, String container, List<EnvVar> env) {
        return container(workload, container, "Set environment of " + container, (w, c) -> {
            List<EnvVar> copy = new ArrayList<>();
            env.forEach(e -> copy.add(new EnvVarBuilder(e).build()));
            c.setEnv(copy.isEmpty() ? null : copy);
            Checks.fields(w.object(), w.containerPath(container) + ".env");
        });
    }

    /** Sets or (with {@code probe} null) removes a probe. */
    public static Command<Void> probe(DraftKey workload, String container, ProbeKind kind, Probe probe) {
        String field = switch (kind) {
            case LIVENESS -> "livenessProbe";
            case READINESS -> "readinessProbe";
            case STARTUP -> "startupProbe";
        };
        return container(workload, container, (probe == null ? "Remove " : "Set ") + field + " of " + container, (w, c) -> {
            Probe copy = probe == null ? null : new ProbeBuilder(probe).build();
            switch (kind) {
                case LIVENESS -> c.setLivenessProbe(copy);
                case READINESS -> c.setReadinessProbe(copy);
                case STARTUP -> c.setStartupProbe(copy);
            }
            Checks.fields(w.object(), w.containerPath(container) + "." + field);
        });
    }

    public static Command<Void> resources(DraftKey workload, String container, ResourceRequirements resources) {
        return container(workload, container, "Set resources of " + container, (w, c) -> {
            c.setResources(resources == null ? null : new ResourceRequirementsBuilder(resources).build());
            Checks.fields(w.object(), w.containerPath(container) + ".resources");
        });
    }

    /** Moves the {@code index}th volume mount of {@code container} to {@code mountPath}. */
    public static Command<Void> mountPath(DraftKey workload, String container, int index, String mountPath) {
        return container(workload, container, "Mount at " + mountPath + " in " + container, (w, c) -> {
            String path = w.containerPath(container) + ".volumeMounts";
            if (c.getVolumeMounts() == null || index < 0 || index >= c.getVolumeMounts().size()) {
                throw new CompositionException(workload, FieldError.notFound(path + "[" + index + "]", index));
            }
            String p = mountPath == null ? "" : mountPath.strip();
            c.getVolumeMounts().get(index).setMountPath(p);
            if (p.isEmpty()) {
                throw new CompositionException(workload, FieldError.required(path + "[" + index + "].mountPath", "a path in the container"));
            }
            if (!p.startsWith("/")) {
                throw new CompositionException(workload, FieldError.invalid(path + "[" + index + "].mountPath", p,
                        "must be an absolute path"));
            }
            Checks.fields(w.object(), path);
        });
    }

    /**
     * Sets the host of an Ingress's {@code index}th rule; blank makes the rule match every host.
     * Two rules for one host are refused, as merging them is the person's choice.
     */
    public static Command<Void> ingressHost(DraftKey ingress, int index, String host) {
        String h = host == null || host.isBlank() ? null : host.strip();
        return new Command<>() {
            @Override
            public String name() {
                return "Set host of " + ingress.shortName() + " to " + (h == null ? "every host" : h);
            }

            @Override
            public Void execute(DraftSet drafts) {
                Ingress ing = Objects2.typed(drafts.require(ingress), Ingress.class);
                List<IngressRule> rules = ing.getSpec() == null ? null : ing.getSpec().getRules();
                if (rules == null || index < 0 || index >= rules.size()) {
                    throw new CompositionException(ingress, FieldError.notFound("spec.rules[" + index + "]", index));
                }
                for (int i = 0; i < rules.size(); i++) {
                    String other = rules.get(i).getHost();
                    if (i != index && java.util.Objects.equals(other == null || other.isBlank() ? null : other, h)) {
                        throw new CompositionException(ingress, FieldError.duplicate("spec.rules[" + index + "].host",
                                h == null ? "" : h));
                    }
                }
                rules.get(index).setHost(h);
                Checks.fields(ing, "spec.rules");
                drafts.put(Objects2.generic(ing));
                return null;
            }
        };
    }

    /** Replaces the whole object (the inspector's YAML tab); the key must stay the same. */
    public static Command<Void> replace(DraftKey key, GenericKubernetesResource object) {
        return new Command<>() {
            @Override
            public String name() {
                return "Edit " + key.shortName();
            }

            @Override
            public Void execute(DraftSet drafts) {
                DraftKey k = DraftKey.of(object);
                if (!k.equals(key)) {
                    throw new CompositionException(key, FieldError.invalid("metadata.name", k.name(),
                            "an edit keeps the object's kind, namespace and name (" + key + ")"));
                }
                drafts.put(object);
                return null;
            }
        };
    }

    /** Drops a draft (a live object stays as it is in the cluster). */
    public static Command<Void> discard(DraftKey key) {
        return new Command<>() {
            @Override
            public String name() {
                return "Discard draft " + key.shortName();
            }

            @Override
            public Void execute(DraftSet drafts) {
                drafts.remove(key);
                return null;
            }
        };
    }

    private static boolean same(ContainerPort a, ContainerPort b) {
        return java.util.Objects.equals(a.getContainerPort(), b.getContainerPort()) && protocol(a).equals(protocol(b));
    }

    private static String protocol(ContainerPort p) {
        return p.getProtocol() == null ? "TCP" : p.getProtocol();
    }

    private static Command<Void> workload(DraftKey key, String name, java.util.function.Consumer<Workload> edit) {
        return new Command<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Void execute(DraftSet drafts) {
                Workload w = Workload.of(drafts, key);
                edit.accept(w);
                drafts.put(w.generic());
                return null;
            }
        };
    }

    private static Command<Void> container(DraftKey key, String container, String name, BiConsumer<Workload, Container> edit) {
        return workload(key, name, w -> edit.accept(w, w.container(container)));
    }
}
