package dev.berth.app.topology.compose;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetSpec;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobTemplateSpec;
import dev.berth.core.api.FieldError;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or a bare Pod) as a
 * typed fabric8 object, with uniform access to its pod template: the pod's spec and metadata,
 * the selector, replicas, and the field path of the pod spec for error messages.
 */
final class Workload {
    static final Set<String> KINDS = Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod");

    private final HasMetadata object;

    private Workload(HasMetadata object) {
        this.object = object;
    }

    static boolean isWorkload(DraftKey key) {
        return KINDS.contains(key.kind());
    }

    /** The workload the draft set holds under {@code key}, as a typed copy. */
    static Workload of(DraftSet drafts, DraftKey key) {
        if (!isWorkload(key)) {
            throw new CompositionException(key, FieldError.notSupported("kind", key.kind(), KINDS.stream().sorted().toList()));
        }
        return of(drafts.require(key));
    }

    static Workload of(GenericKubernetesResource g) {
        HasMetadata typed = switch (g.getKind()) {
            case "Deployment" -> Objects2.typed(g, Deployment.class);
            case "StatefulSet" -> Objects2.typed(g, StatefulSet.class);
            case "DaemonSet" -> Objects2.typed(g, DaemonSet.class);
            case "ReplicaSet" -> Objects2.typed(g, ReplicaSet.class);
            case "Job" -> Objects2.typed(g, Job.class);
            case "CronJob" -> Objects2.typed(g, CronJob.class);
            case "Pod" -> Objects2.typed(g, Pod.class);
            default -> throw new CompositionException(DraftKey.of(g),
                    FieldError.notSupported("kind", g.getKind(), KINDS.stream().sorted().toList()));
        };
        return new Workload(typed);
    }

    HasMetadata object() {
        return object;
    }

    DraftKey key() {
        return DraftKey.of(object);
    }

    String kind() {
        return object.getKind();
    }

    String name() {
        return object.getMetadata().getName();
    }

    GenericKubernetesResource generic() {
        return Objects2.generic(object);
    }

    /** The path of the pod spec in this kind, e.g. {@code spec.template.spec}. */
    String podSpecPath() {
        return switch (kind()) {
            case "Pod" -> "spec";
            case "CronJob" -> "spec.jobTemplate.spec.template.spec";
            default -> "spec.template.spec";
        };
    }

    String podMetaPath() {
        return switch (kind()) {
            case "Pod" -> "metadata";
            case "CronJob" -> "spec.jobTemplate.spec.template.metadata";
            default -> "spec.template.metadata";
        };
    }

    /** The pod template (created empty where missing); null for a bare Pod. */
    private PodTemplateSpec template() {
        return switch (object) {
            case Deployment d -> {
                if (d.getSpec() == null) d.setSpec(new DeploymentSpec());
                if (d.getSpec().getTemplate() == null) d.getSpec().setTemplate(new PodTemplateSpec());
                yield d.getSpec().getTemplate();
            }
            case StatefulSet s -> {
                if (s.getSpec() == null) s.setSpec(new StatefulSetSpec());
                if (s.getSpec().getTemplate() == null) s.getSpec().setTemplate(new PodTemplateSpec());
                yield s.getSpec().getTemplate();
            }
            case DaemonSet s -> {
                if (s.getSpec() == null) s.setSpec(new DaemonSetSpec());
                if (s.getSpec().getTemplate() == null) s.getSpec().setTemplate(new PodTemplateSpec());
                yield s.getSpec().getTemplate();
            }
            case ReplicaSet s -> {
                if (s.getSpec() == null) s.setSpec(new ReplicaSetSpec());
                if (s.getSpec().getTemplate() == null) s.getSpec().setTemplate(new PodTemplateSpec());
                yield s.getSpec().getTemplate();
            }
            case Job j -> {
                if (j.getSpec() == null) j.setSpec(new JobSpec());
                if (j.getSpec().getTemplate() == null) j.getSpec().setTemplate(new PodTemplateSpec());
                yield j.getSpec().getTemplate();
            }
            case CronJob c -> {
                if (c.getSpec() == null) c.setSpec(new CronJobSpec());
                if (c.getSpec().getJobTemplate() == null) c.getSpec().setJobTemplate(new JobTemplateSpec());
                JobTemplateSpec jt = c.getSpec().getJobTemplate();
                if (jt.getSpec() == null) jt.setSpec(new JobSpec());
                if (jt.getSpec().getTemplate() == null) jt.getSpec().setTemplate(new PodTemplateSpec());
                yield jt.getSpec().getTemplate();
            }
            default -> null;
        };
    }

    PodSpec podSpec() {
        if (object instanceof Pod p) {
            if (p.getSpec() == null) p.setSpec(new PodSpec());
            return p.getSpec();
        }
        PodTemplateSpec t = template();
        if (t.getSpec() == null) t.setSpec(new PodSpec());
        return t.getSpec();
    }

    /** The metadata of the pods: the template's, or the Pod's own. */
    ObjectMeta podMeta() {
        if (object instanceof Pod p) {
            return p.getMetadata();
        }
        PodTemplateSpec t = template();
        if (t.getMetadata() == null) t.setMetadata(new ObjectMeta());
        return t.getMetadata();
    }

    /** The pods' labels (a mutable map, created where missing). */
    Map<String, String> podLabels() {
        ObjectMeta m = podMeta();
        if (m.getLabels() == null) m.setLabels(new LinkedHashMap<>());
        return m.getLabels();
    }

    /** The selector the person wrote; null for a bare Pod, and for Jobs, whose selector the server makes. */
    LabelSelector selector() {
        return switch (object) {
            case Deployment d -> d.getSpec() == null ? null : d.getSpec().getSelector();
            case StatefulSet s -> s.getSpec() == null ? null : s.getSpec().getSelector();
            case DaemonSet s -> s.getSpec() == null ? null : s.getSpec().getSelector();
            case ReplicaSet s -> s.getSpec() == null ? null : s.getSpec().getSelector();
            default -> null;
        };
    }

    boolean hasReplicas() {
        return object instanceof Deployment || object instanceof StatefulSet || object instanceof ReplicaSet;
    }

    void setReplicas(int n) {
        switch (object) {
            case Deployment d -> d.getSpec().setReplicas(n);
            case StatefulSet s -> s.getSpec().setReplicas(n);
            case ReplicaSet s -> s.getSpec().setReplicas(n);
            default -> throw new CompositionException(key(), FieldError.forbidden("spec.replicas",
                    "a " + kind() + " has no replicas"));
        }
    }

    List<Container> containers() {
        PodSpec s = podSpec();
        if (s.getContainers() == null) s.setContainers(new ArrayList<>());
        return s.getContainers();
    }

    /** The index of the named container, or a clear error. */
    int containerIndex(String name) {
        List<Container> cs = containers();
        for (int i = 0; i < cs.size(); i++) {
            if (cs.get(i).getName().equals(name)) {
                return i;
            }
        }
        throw new CompositionException(key(), FieldError.notFound(podSpecPath() + ".containers", name));
    }

    Container container(String name) {
        return containers().get(containerIndex(name));
    }

    String containerPath(String name) {
        return podSpecPath() + ".containers[" + containerIndex(name) + "]";
    }

    /** Every container and init container name in the pod: container names are unique across both. */
    Set<String> containerNames() {
        Set<String> out = new java.util.HashSet<>();
        containers().forEach(c -> out.add(c.getName()));
        if (podSpec().getInitContainers() != null) {
            podSpec().getInitContainers().forEach(c -> out.add(c.getName()));
        }
        return out;
    }
}
