package dev.berth.core.controller.job;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the Job controller reads from and writes into pods, with Kubernetes' names. */
final class JobPods {
    static final String TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";
    static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
    static final String COMPLETION_INDEX_ENV = "JOB_COMPLETION_INDEX";
    /** Pod host names are DNS labels. */
    private static final int MAX_HOSTNAME = 63;

    private JobPods() {
    }

    /** The controlling owner reference of kind Job, or null. */
    static OwnerReference jobOwner(Pod pod) {
        List<OwnerReference> refs = pod.getMetadata().getOwnerReferences();
        if (refs == null) {
            return null;
        }
        for (OwnerReference r : refs) {
            if (Boolean.TRUE.equals(r.getController()) && "Job".equals(r.getKind())
                    && r.getApiVersion() != null && r.getApiVersion().startsWith("batch/")) {
                return r;
            }
        }
        return null;
    }

    static boolean hasTrackingFinalizer(Pod pod) {
        List<String> f = pod.getMetadata().getFinalizers();
        return f != null && f.contains(TRACKING_FINALIZER);
    }

    static String phase(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }

    static boolean succeeded(Pod pod) {
        return "Succeeded".equals(phase(pod));
    }

    /**
     * When the pod finished: the latest finishedAt of its containers, else when it was last seen
     * not Ready, else its creation; {@code fallback} when it tells nothing.
     */
    static java.time.Instant finishedAt(Pod pod, java.time.Instant fallback) {
        java.time.Instant latest = null;
        if (pod.getStatus() != null) {
            List<io.fabric8.kubernetes.api.model.ContainerStatus> all = new java.util.ArrayList<>();
            if (pod.getStatus().getContainerStatuses() != null) all.addAll(pod.getStatus().getContainerStatuses());
            if (pod.getStatus().getInitContainerStatuses() != null) all.addAll(pod.getStatus().getInitContainerStatuses());
            for (var c : all) {
                if (c.getState() == null || c.getState().getTerminated() == null) continue;
                java.time.Instant t = parse(c.getState().getTerminated().getFinishedAt());
                if (t != null && (latest == null || t.isAfter(latest))) latest = t;
            }
            if (latest == null && pod.getStatus().getConditions() != null) {
                for (var c : pod.getStatus().getConditions()) {
                    if ("Ready".equals(c.getType())) latest = parse(c.getLastTransitionTime());
                }
            }
        }
        if (latest == null) latest = parse(pod.getMetadata().getCreationTimestamp());
        return latest != null ? latest : fallback;
    }

    private static java.time.Instant parse(String ts) {
        if (ts == null || ts.isEmpty()) return null;
        try {
            return java.time.Instant.parse(ts);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    static boolean terminal(Pod pod) {
        String p = phase(pod);
        return "Succeeded".equals(p) || "Failed".equals(p);
    }

    static boolean deleting(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() != null;
    }

    /** Active: neither finished nor being deleted. */
    static boolean active(Pod pod) {
        return !terminal(pod) && !deleting(pod);
    }

    /**
     * Failed as Kubernetes counts it: phase Failed, or (unless only failed pods are replaced) deleted
     * before it succeeded, so pods that never reach a terminal phase still count.
     */
    static boolean failed(Pod pod, Job job) {
        if ("Failed".equals(phase(pod))) {
            return true;
        }
        if ("Failed".equals(job.getSpec().getPodReplacementPolicy())) {
            return false;
        }
        return deleting(pod) && !succeeded(pod);
    }

    static boolean ready(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** The completion index from the pod's annotation, or -1 when it has none or it is malformed. */
    static int completionIndex(Pod pod) {
        Map<String, String> a = pod.getMetadata().getAnnotations();
        String v = a == null ? null : a.get(COMPLETION_INDEX);
        if (v == null) {
            return -1;
        }
        try {
            int i = Integer.parseInt(v);
            return i < 0 ? -1 : i;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * A new pod from the job's template: generated name {@code JOB-} (or {@code JOB-INDEX-}), the
     * template's labels and annotations, the tracking finalizer and the controlling owner
     * reference; in Indexed mode also the index annotation and label, the JOB_COMPLETION_INDEX
     * environment variable in every container and the host name {@code JOB-INDEX}.
     */
    static Pod newPod(Job job, int index) {
        return newPod(job, index, 0, 0);
    }

    /** Annotation: how many counted failures the pod's index had before it (backoffLimitPerIndex). */
    static final String INDEX_FAILURE_COUNT = "batch.kubernetes.io/job-index-failure-count";
    /** Annotation: how many failures of the pod's index were ignored by the pod failure policy before it. */
    static final String INDEX_IGNORED_FAILURE_COUNT = "batch.kubernetes.io/job-index-ignored-failure-count";

    /** A non-negative integer annotation of the pod, 0 when absent or malformed. */
    static int countAnnotation(Pod pod, String name) {
        Map<String, String> a = pod.getMetadata().getAnnotations();
        String v = a == null ? null : a.get(name);
        if (v == null) return 0;
        try {
            return Math.max(0, Integer.parseInt(v));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * A new pod of the job; with backoffLimitPerIndex, an Indexed pod carries its index's failure
     * counts so far, as Kubernetes' pods do.
     */
    static Pod newPod(Job job, int index, int failureCount, int ignoredFailureCount) {
        String name = job.getMetadata().getName();
        var template = job.getSpec().getTemplate();
        Map<String, String> labels = new LinkedHashMap<>();
        Map<String, String> annotations = new LinkedHashMap<>();
        if (template.getMetadata() != null) {
            if (template.getMetadata().getLabels() != null) labels.putAll(template.getMetadata().getLabels());
            if (template.getMetadata().getAnnotations() != null) annotations.putAll(template.getMetadata().getAnnotations());
        }
        PodSpec spec = new PodSpecBuilder(template.getSpec()).build();
        String generateName = name + "-";
        if (index >= 0) {
            String ix = Integer.toString(index);
            labels.put(COMPLETION_INDEX, ix);
            annotations.put(COMPLETION_INDEX, ix);
            generateName = name + "-" + ix + "-";
            if (job.getSpec().getBackoffLimitPerIndex() != null) {
                annotations.put(INDEX_FAILURE_COUNT, Integer.toString(failureCount));
                annotations.put(INDEX_IGNORED_FAILURE_COUNT, Integer.toString(ignoredFailureCount));
            }
            spec.setContainers(withIndexEnv(spec.getContainers()));
            spec.setInitContainers(withIndexEnv(spec.getInitContainers()));
            if (spec.getHostname() == null || spec.getHostname().isEmpty()) {
                String host = name + "-" + ix;
                spec.setHostname(host.length() > MAX_HOSTNAME ? host.substring(0, MAX_HOSTNAME) : host);
            }
        }
        // generated names carry five random characters: keep the prefix within 58 (63 - 5)
        if (generateName.length() > 58) {
            generateName = generateName.substring(0, 58);
        }
        OwnerReference owner = new OwnerReferenceBuilder()
                .withApiVersion("batch/v1").withKind("Job")
                .withName(name).withUid(job.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true)
                .build();
        return new PodBuilder()
                .withNewMetadata()
                .withNamespace(job.getMetadata().getNamespace())
                .withGenerateName(generateName)
                .withLabels(labels)
                .withAnnotations(annotations.isEmpty() ? null : annotations)
                .withFinalizers(TRACKING_FINALIZER)
                .withOwnerReferences(owner)
                .endMetadata()
                .withSpec(spec)
                .build();
    }

    private static List<Container> withIndexEnv(List<Container> containers) {
        if (containers == null) {
            return null;
        }
        return containers.stream().map(c -> {
            boolean has = c.getEnv() != null && c.getEnv().stream().anyMatch(e -> COMPLETION_INDEX_ENV.equals(e.getName()));
            if (has) {
                return c;
            }
            return new ContainerBuilder(c).addNewEnv().withName(COMPLETION_INDEX_ENV)
                    .withNewValueFrom().withNewFieldRef().withFieldPath("metadata.annotations['" + COMPLETION_INDEX + "']")
                    .endFieldRef().endValueFrom().endEnv().build();
        }).toList();
    }
}
