package dev.berth.core.controller.podautoscaler;

import dev.berth.core.api.labels.LabelSelector;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Keys;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.fabric8.kubernetes.api.model.autoscaling.v1.ScaleBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.CrossVersionObjectReference;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerCondition;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerConditionBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatusBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricStatusBuilder;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.ContainerMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One pass of the autoscaler over one HorizontalPodAutoscaler, as Kubernetes'
 * {@code reconcileAutoscaler}: read the scale, compute a replica count per metric, take the
 * highest, stabilise and rate-limit it, write the scale, then the status and conditions.
 */
final class HorizontalReconciler implements Reconciler<String> {
    /** Kubernetes' sync period of the autoscaler. */
    static final Duration SYNC_PERIOD = Duration.ofSeconds(15);
    /** CPU samples of pods younger than this are used only when the pod is ready and measured since. */
    static final Duration CPU_INITIALIZATION_PERIOD = Duration.ofMinutes(5);
    static final Duration INITIAL_READINESS_DELAY = Duration.ofSeconds(30);

    private final ControllerContext context;
    private final Map<String, ScalingBehavior> behaviors = new ConcurrentHashMap<>();
    private final Map<String, ResourceDefinitionContext> resources = new ConcurrentHashMap<>();

    HorizontalReconciler(ControllerContext context) {
        this.context = context;
    }

    void forget(String key) {
        behaviors.remove(key);
    }

    @Override
    public Result reconcile(String key) {
        HorizontalPodAutoscaler hpa = context.informers().get(HorizontalPodAutoscaler.class, key);
        if (hpa == null) {
            behaviors.remove(key);
            return Result.done();
        }
        Instant now = context.clock().instant();
        HorizontalPodAutoscalerStatus old = hpa.getStatus() == null ? new HorizontalPodAutoscalerStatus() : hpa.getStatus();
        Conditions conditions = new Conditions(old.getConditions(), now);
        String ns = hpa.getMetadata().getNamespace();
        CrossVersionObjectReference ref = hpa.getSpec().getScaleTargetRef();
        String reference = ref.getKind() + "/" + ref.getName();

        Scale scale;
        ResourceDefinitionContext target;
        try {
            target = resourceOf(ref);
            scale = context.client().genericKubernetesResources(target).inNamespace(ns).withName(ref.getName()).scale();
            if (scale == null) {
                throw new IllegalStateException(reference + " not found");
            }
        } catch (RuntimeException e) {
            String msg = e instanceof KubernetesClientException k ? k.getStatus() != null ? k.getStatus().getMessage() : k.getMessage() : e.getMessage();
            context.events().warning(hpa, "FailedGetScale", msg);
            conditions.set("AbleToScale", "False", "FailedGetScale",
                    "the HPA controller was unable to get the target's current scale: " + msg);
            writeStatus(hpa, status(hpa, old, old.getCurrentReplicas() == null ? 0 : old.getCurrentReplicas(),
                    old.getDesiredReplicas() == null ? 0 : old.getDesiredReplicas(), old.getCurrentMetrics(), false,
                    conditions, now));
            return Result.requeueAfter(SYNC_PERIOD);
        }
        int current = scale.getStatus() == null || scale.getStatus().getReplicas() == null ? 0 : scale.getStatus().getReplicas();
        int specReplicas = scale.getSpec() == null || scale.getSpec().getReplicas() == null ? 0 : scale.getSpec().getReplicas();
        int min = hpa.getSpec().getMinReplicas() == null ? 1 : hpa.getSpec().getMinReplicas();
        int max = hpa.getSpec().getMaxReplicas();
        ScalingBehavior behavior = behaviors.computeIfAbsent(key, k -> new ScalingBehavior());
        HPAScalingRules up = ScalingBehavior.scaleUpRules(hpa.getSpec().getBehavior());
        HPAScalingRules down = ScalingBehavior.scaleDownRules(hpa.getSpec().getBehavior());

        int desired = 0;
        String reason = "";
        List<MetricStatus> metricStatuses = old.getCurrentMetrics();
        boolean rescale;
        if (specReplicas == 0 && min != 0) {
            desired = 0;
            rescale = false;
            conditions.set("ScalingActive", "False", "ScalingDisabled",
                    "scaling is disabled since the replica count of the target is zero");
        } else if (current > max) {
            reason = "Current number of replicas above Spec.MaxReplicas";
            desired = max;
            rescale = true;
        } else if (current < min) {
            reason = "Current number of replicas below Spec.MinReplicas";
            desired = min;
            rescale = true;
        } else {
            MetricsOutcome outcome = computeForMetrics(hpa, scale, current, now, conditions);
            if (outcome == null) {
                writeStatus(hpa, status(hpa, old, current, old.getDesiredReplicas() == null ? current : old.getDesiredReplicas(),
                        old.getCurrentMetrics(), false, conditions, now));
                return Result.requeueAfter(SYNC_PERIOD);
            }
            metricStatuses = outcome.statuses();
            desired = outcome.replicas();
            if (desired > current) {
                reason = outcome.metricName() + " above target";
            } else if (desired < current) {
                reason = "All metrics below target";
            }
            ScalingBehavior.Limited stable = behavior.stabilize(current, desired, up, down, now);
            conditions.set("AbleToScale", "True", stable.reason(), stable.message());
            ScalingBehavior.Limited limited = behavior.limitRate(current, stable.replicas(), min, max, up, down, now);
            conditions.set("ScalingLimited", limited.reason().equals("DesiredWithinRange") ? "False" : "True",
                    limited.reason(), limited.message());
            desired = limited.replicas();
            rescale = desired != current;
        }
        if (rescale) {
            try {
                Scale wanted = new ScaleBuilder(scale).editOrNewSpec().withReplicas(desired).endSpec().build();
                context.client().genericKubernetesResources(target).inNamespace(ns).withName(ref.getName()).scale(wanted);
            } catch (KubernetesClientException e) {
                String msg = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
                context.events().warning(hpa, "FailedRescale", "New size: %d; reason: %s; error: %s", desired, reason, msg);
                conditions.set("AbleToScale", "False", "FailedUpdateScale",
                        "the HPA controller was unable to update the target scale: " + msg);
                writeStatus(hpa, status(hpa, old, current, desired, metricStatuses, false, conditions, now));
                return Result.requeueAfter(SYNC_PERIOD);
            }
            conditions.set("AbleToScale", "True", "SucceededRescale",
                    "the HPA controller was able to update the target scale to " + desired);
            context.events().normal(hpa, "SuccessfulRescale", "New size: %d; reason: %s", desired, reason);
            behavior.recordScale(current, desired, up, down, now);
        }
        writeStatus(hpa, status(hpa, old, current, desired, metricStatuses, rescale, conditions, now));
        return Result.requeueAfter(SYNC_PERIOD);
    }

    private record MetricsOutcome(int replicas, String metricName, List<MetricStatus> statuses) {
    }

    /** The highest replica count the metrics ask for, or null (conditions set) when none could be computed. */
    private MetricsOutcome computeForMetrics(HorizontalPodAutoscaler hpa, Scale scale, int current, Instant now,
                                             Conditions conditions) {
        String selectorText = scale.getStatus() == null ? null : scale.getStatus().getSelector();
        if (selectorText == null || selectorText.isEmpty()) {
            String msg = "the HPA target's scale is missing a selector";
            context.events().warning(hpa, "SelectorRequired", msg);
            conditions.set("ScalingActive", "False", "InvalidSelector", msg);
            return null;
        }
        LabelSelector selector;
        try {
            selector = LabelSelector.parse(selectorText);
        } catch (RuntimeException e) {
            String msg = "couldn't convert selector into a corresponding internal selector object: " + e.getMessage();
            context.events().warning(hpa, "InvalidSelector", msg);
            conditions.set("ScalingActive", "False", "InvalidSelector", msg);
            return null;
        }
        List<MetricSpec> specs = hpa.getSpec().getMetrics() == null || hpa.getSpec().getMetrics().isEmpty()
                ? List.of(defaultCpuMetric()) : hpa.getSpec().getMetrics();
        String ns = hpa.getMetadata().getNamespace();
        List<Pod> pods = new ArrayList<>();
        for (Pod p : context.informers().inNamespace(Pod.class, ns)) {
            Map<String, String> labels = p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels();
            if (selector.matches(labels)) {
                pods.add(p);
            }
        }
        Map<String, PodMetrics> usage = new HashMap<>();
        int best = -1;
        String bestName = "";
        List<MetricStatus> statuses = new ArrayList<>();
        String lastError = null;
        String lastReason = null;
        for (MetricSpec spec : specs) {
            String type = spec.getType();
            boolean container = "ContainerResource".equals(type);
            if (!"Resource".equals(type) && !container) {
                lastReason = "FailedGet" + type + "Metric";
                lastError = "the HPA was unable to compute the replica count: unable to get metric of type " + type
                        + ": only Resource and ContainerResource metrics are served (metrics.k8s.io)";
                context.events().warning(hpa, lastReason, lastError);
                continue;
            }
            String resource = container ? spec.getContainerResource().getName() : spec.getResource().getName();
            String containerName = container ? spec.getContainerResource().getContainer() : null;
            var target = container ? spec.getContainerResource().getTarget() : spec.getResource().getTarget();
            try {
                if (usage.isEmpty()) {
                    for (PodMetrics m : context.client().top().pods().inNamespace(ns).metrics().getItems()) {
                        usage.put(m.getMetadata().getName(), m);
                    }
                }
                List<ReplicaCalculator.PodUsage> counted = podUsage(pods, usage, resource, containerName, now);
                ReplicaCalculator.Proposal p;
                String name;
                MetricStatusBuilder status = new MetricStatusBuilder().withType(type);
                if ("Utilization".equals(target.getType())) {
                    if (target.getAverageUtilization() == null) {
                        throw new IllegalArgumentException("target.averageUtilization is required for a Utilization target");
                    }
                    p = ReplicaCalculator.forUtilization(current, counted, target.getAverageUtilization());
                    name = resource + (container ? " container" : "") + " resource utilization (percentage of request)";
                } else {
                    Quantity average = target.getAverageValue();
                    if (average == null) {
                        throw new IllegalArgumentException("target.averageValue is required for an AverageValue target");
                    }
                    p = ReplicaCalculator.forAverageValue(current, counted, amount(resource, average));
                    name = resource + (container ? " container" : "") + " resource";
                }
                Quantity averageValue = quantity(resource, p.averageValue());
                if (container) {
                    status.withNewContainerResource().withName(resource).withContainer(containerName).withNewCurrent()
                            .withAverageUtilization("Utilization".equals(target.getType()) ? p.utilization() : null)
                            .withAverageValue(averageValue).endCurrent().endContainerResource();
                } else {
                    status.withNewResource().withName(resource).withNewCurrent()
                            .withAverageUtilization("Utilization".equals(target.getType()) ? p.utilization() : null)
                            .withAverageValue(averageValue).endCurrent().endResource();
                }
                statuses.add(status.build());
                if (p.replicas() > best) {
                    best = p.replicas();
                    bestName = name;
                }
            } catch (RuntimeException e) {
                lastReason = "FailedGetResourceMetric";
                lastError = "the HPA was unable to compute the replica count: failed to get " + resource
                        + " utilization: " + e.getMessage();
                context.events().warning(hpa, lastReason, lastError);
            }
        }
        if (best < 0) {
            conditions.set("ScalingActive", "False", lastReason == null ? "FailedGetResourceMetric" : lastReason,
                    lastError == null ? "the HPA was unable to compute the replica count" : lastError);
            return null;
        }
        conditions.set("ScalingActive", "True", "ValidMetricFound",
                "the HPA was able to successfully calculate a replica count from " + bestName);
        return new MetricsOutcome(best, bestName, statuses);
    }

    private static MetricSpec defaultCpuMetric() {
        return new io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpecBuilder().withType("Resource")
                .withNewResource().withName("cpu").withNewTarget().withType("Utilization").withAverageUtilization(80)
                .endTarget().endResource().build();
    }

    /** Each pod that counts: its request, its usage when measured, and whether its sample is usable as ready. */
    private List<ReplicaCalculator.PodUsage> podUsage(List<Pod> pods, Map<String, PodMetrics> usage, String resource,
                                                      String containerName, Instant now) {
        List<ReplicaCalculator.PodUsage> out = new ArrayList<>();
        for (Pod pod : pods) {
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            if (pod.getMetadata().getDeletionTimestamp() != null || "Failed".equals(phase) || "Succeeded".equals(phase)) {
                continue; // ignored, as Kubernetes does
            }
            long request = 0;
            for (Container c : pod.getSpec().getContainers()) {
                if (containerName != null && !containerName.equals(c.getName())) {
                    continue;
                }
                Quantity q = c.getResources() == null || c.getResources().getRequests() == null
                        ? null : c.getResources().getRequests().get(resource);
                if (q == null) {
                    throw new IllegalArgumentException("missing request for " + resource + " in container "
                            + c.getName() + " of Pod " + pod.getMetadata().getName());
                }
                request += amount(resource, q);
            }
            PodMetrics m = usage.get(pod.getMetadata().getName());
            Long used = null;
            if (m != null && !"Pending".equals(phase)) {
                long sum = 0;
                for (ContainerMetrics c : m.getContainers()) {
                    if (containerName != null && !containerName.equals(c.getName())) {
                        continue;
                    }
                    Quantity q = c.getUsage() == null ? null : c.getUsage().get(resource);
                    if (q != null) {
                        sum += amount(resource, q);
                    }
                }
                used = sum;
            }
            boolean ready = !"Pending".equals(phase) && (used == null || usableAsReady(pod, m, resource, now));
            out.add(new ReplicaCalculator.PodUsage(pod.getMetadata().getName(), request, used, ready));
        }
        return out;
    }

    /** Kubernetes' rule for CPU samples of pods that are starting; other resources are always usable. */
    private static boolean usableAsReady(Pod pod, PodMetrics m, String resource, Instant now) {
        if (!"cpu".equals(resource)) {
            return true;
        }
        PodCondition ready = pod.getStatus() == null || pod.getStatus().getConditions() == null ? null
                : pod.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElse(null);
        String startText = pod.getStatus() == null ? null : pod.getStatus().getStartTime();
        if (ready == null || startText == null) {
            return false;
        }
        Instant start = Instant.parse(startText);
        Instant transition = ready.getLastTransitionTime() == null ? start : Instant.parse(ready.getLastTransitionTime());
        if (start.plus(CPU_INITIALIZATION_PERIOD).isAfter(now)) {
            Instant sampled = m.getTimestamp() == null ? now : Instant.parse(m.getTimestamp());
            Duration window = m.getWindow() == null ? Duration.ZERO : m.getWindow().getDuration();
            return !"False".equals(ready.getStatus()) && !sampled.isBefore(transition.plus(window));
        }
        return !("False".equals(ready.getStatus()) && start.plus(INITIAL_READINESS_DELAY).isAfter(transition));
    }

    /** CPU in millicores, everything else in base units. */
    static long amount(String resource, Quantity q) {
        BigDecimal n = q.getNumericalAmount();
        return "cpu".equals(resource) ? n.movePointRight(3).setScale(0, java.math.RoundingMode.CEILING).longValueExact()
                : n.setScale(0, java.math.RoundingMode.CEILING).longValueExact();
    }

    static Quantity quantity(String resource, long amount) {
        return "cpu".equals(resource) ? new Quantity(amount + "m") : new Quantity(Long.toString(amount));
    }

    private ResourceDefinitionContext resourceOf(CrossVersionObjectReference ref) {
        String apiVersion = ref.getApiVersion() == null || ref.getApiVersion().isEmpty() ? "v1" : ref.getApiVersion();
        return resources.computeIfAbsent(apiVersion + "/" + ref.getKind(), k -> {
            APIResourceList list = context.client().getApiResources(apiVersion);
            if (list != null) {
                for (APIResource r : list.getResources()) {
                    if (!r.getName().contains("/") && ref.getKind().equals(r.getKind())) {
                        int slash = apiVersion.indexOf('/');
                        return new ResourceDefinitionContext.Builder()
                                .withGroup(slash < 0 ? "" : apiVersion.substring(0, slash))
                                .withVersion(slash < 0 ? apiVersion : apiVersion.substring(slash + 1))
                                .withPlural(r.getName()).withKind(r.getKind())
                                .withNamespaced(Boolean.TRUE.equals(r.getNamespaced())).build();
                    }
                }
            }
            throw new IllegalArgumentException("the server has no resource of kind " + ref.getKind() + " in " + apiVersion);
        });
    }

    private HorizontalPodAutoscalerStatus status(HorizontalPodAutoscaler hpa, HorizontalPodAutoscalerStatus old,
                                                 int current, int desired, List<MetricStatus> metrics, boolean rescaled,
                                                 Conditions conditions, Instant now) {
        return new HorizontalPodAutoscalerStatusBuilder()
                .withObservedGeneration(hpa.getMetadata().getGeneration())
                .withCurrentReplicas(current)
                .withDesiredReplicas(desired)
                .withLastScaleTime(rescaled ? timestamp(now) : old.getLastScaleTime())
                .withCurrentMetrics(metrics == null || metrics.isEmpty() ? null : metrics)
                .withConditions(conditions.list())
                .build();
    }

    private void writeStatus(HorizontalPodAutoscaler hpa, HorizontalPodAutoscalerStatus status) {
        if (Objects.equals(status, hpa.getStatus())) {
            return;
        }
        try {
            context.client().resource(new HorizontalPodAutoscalerBuilder(hpa).withStatus(status).build()).updateStatus();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    static String timestamp(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
    }

    /** The three conditions of an autoscaler; a transition time moves only when the status does. */
    static final class Conditions {
        private final Map<String, HorizontalPodAutoscalerCondition> byType = new java.util.LinkedHashMap<>();
        private final Instant now;

        Conditions(List<HorizontalPodAutoscalerCondition> old, Instant now) {
            this.now = now;
            if (old != null) {
                for (HorizontalPodAutoscalerCondition c : old) {
                    byType.put(c.getType(), c);
                }
            }
        }

        void set(String type, String status, String reason, String message) {
            HorizontalPodAutoscalerCondition previous = byType.get(type);
            String since = previous != null && status.equals(previous.getStatus())
                    ? previous.getLastTransitionTime() : timestamp(now);
            byType.put(type, new HorizontalPodAutoscalerConditionBuilder().withType(type).withStatus(status)
                    .withReason(reason).withMessage(message).withLastTransitionTime(since).build());
        }

        List<HorizontalPodAutoscalerCondition> list() {
            List<HorizontalPodAutoscalerCondition> out = new ArrayList<>();
            for (String t : List.of("AbleToScale", "ScalingActive", "ScalingLimited")) {
                if (byType.containsKey(t)) {
                    out.add(byType.get(t));
                }
            }
            return out;
        }
    }

    static String keyOf(HorizontalPodAutoscaler hpa) {
        return Keys.of(hpa);
    }
}
