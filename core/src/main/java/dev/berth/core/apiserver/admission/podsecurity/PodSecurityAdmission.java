package dev.berth.core.apiserver.admission.podsecurity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.api.FieldError;
import dev.berth.core.api.Json;
import dev.berth.core.apiserver.ResourceStorage;
import dev.berth.core.apiserver.admission.AdmissionPlugin;
import dev.berth.core.apiserver.admission.AdmissionRequest;
import dev.berth.core.apiserver.audit.RequestAudit;
import dev.berth.core.apiserver.cache.CachedObject;
import dev.berth.core.apiserver.registry.ResourceType;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Kubernetes' PodSecurity admission: the labels {@code pod-security.kubernetes.io/enforce},
 * {@code audit} and {@code warn} (each with a {@code -version}) on a namespace pick the Pod
 * Security Standard its pods are held to. Enforce refuses a violating pod with 403, audit notes
 * the violation in the request's audit event, warn answers with a {@code Warning} header.
 * Workload resources (their pod templates) get warnings and audit notes, never refusals.
 * Changing a namespace's enforce label warns about the existing pods that would now be refused.
 */
public final class PodSecurityAdmission implements AdmissionPlugin {
    public static final String LABEL_PREFIX = "pod-security.kubernetes.io/";
    public static final String ENFORCE = LABEL_PREFIX + "enforce";
    public static final String AUDIT = LABEL_PREFIX + "audit";
    public static final String WARN = LABEL_PREFIX + "warn";
    /** The audit annotations Kubernetes writes. */
    public static final String AUDIT_VIOLATIONS = LABEL_PREFIX + "audit-violations";
    public static final String ENFORCE_POLICY = LABEL_PREFIX + "enforce-policy";
    public static final String EXEMPT = LABEL_PREFIX + "exempt";

    /** Resources whose pod template is checked (warn and audit only), by group/resource. */
    private static final Set<String> WORKLOADS = Set.of("/replicationcontrollers", "/podtemplates", "apps/deployments",
            "apps/replicasets", "apps/statefulsets", "apps/daemonsets", "batch/jobs", "batch/cronjobs");

    private final ResourceStorage storage;
    private final ResourceType namespaces;
    private final ResourceType pods;
    private volatile PodSecurityConfig config;

    public PodSecurityAdmission(ResourceStorage storage, ResourceType namespaces, ResourceType pods, PodSecurityConfig config) {
        this.storage = storage;
        this.namespaces = namespaces;
        this.pods = pods;
        this.config = Objects.requireNonNull(config, "config");
    }

    /** Replaces the defaults and exemptions. */
    public void configure(PodSecurityConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** The enforce, audit and warn policies of a namespace. */
    record Policy(LevelVersion enforce, LevelVersion audit, LevelVersion warn) {}

    @Override
    public void validate(AdmissionRequest r) {
        if (r.operation() == AdmissionRequest.Operation.DELETE) {
            return;
        }
        String gr = r.type().group() + "/" + r.type().resource();
        if (gr.equals("/namespaces") && r.subresource().isEmpty()) {
            validateNamespace(r);
        } else if (gr.equals("/pods") && (r.subresource().isEmpty() || r.subresource().equals("ephemeralcontainers"))) {
            validatePod(r);
        } else if (WORKLOADS.contains(gr) && r.subresource().isEmpty()) {
            validateWorkload(r);
        }
    }

    // ---- namespaces -------------------------------------------------------------------------

    private void validateNamespace(AdmissionRequest r) {
        Namespace ns = (Namespace) r.object();
        Map<String, String> labels = labels(ns.getMetadata());
        List<FieldError> errors = new ArrayList<>();
        Policy next = policy(labels, errors);
        boolean update = r.operation() == AdmissionRequest.Operation.UPDATE && r.old() != null;
        List<FieldError> oldErrors = new ArrayList<>();
        Policy before = update ? policy(labels(r.old().getMetadata()), oldErrors) : null;
        // as Kubernetes: bad labels are refused when they are set, not on every later update of the namespace
        if (!errors.isEmpty() && !(update && errors.equals(oldErrors))) {
            throw ApiException.invalid("", "Namespace", ns.getMetadata().getName(), errors);
        }
        if (!update) {
            return;
        }
        String name = ns.getMetadata().getName();
        if (next.enforce().equals(before.enforce()) || next.enforce().level() == Level.PRIVILEGED
                || config.exemptNamespaces().contains(name)) {
            return;
        }
        r.warnings().addAll(existingPodWarnings(name, next.enforce()));
    }

    /**
     * {@code existing pods in namespace "x" violate the new PodSecurity enforce level "restricted:latest"},
     * then one line per group of pods with the same violations: {@code web-1 (and 2 other pods): privileged}.
     */
    private List<String> existingPodWarnings(String namespace, LevelVersion enforce) {
        List<Pod> existing = new ArrayList<>();
        for (CachedObject o : storage.cache().resource(pods.storage()).list(pods.namespacePrefix(namespace))) {
            existing.add((Pod) storage.typed(pods, o));
        }
        existing.sort(Comparator.comparing(p -> p.getMetadata().getName()));
        Map<String, List<String>> byReasons = new LinkedHashMap<>();
        for (Pod p : existing) {
            if (p.getSpec() == null || exemptRuntimeClass(p.getSpec())) {
                continue;
            }
            List<PodSecurityChecks.Violation> v = PodSecurityChecks.check(p.getMetadata(), p.getSpec(), enforce);
            if (!v.isEmpty()) {
                String reasons = v.stream().map(PodSecurityChecks.Violation::reason).distinct()
                        .collect(Collectors.joining(", "));
                byReasons.computeIfAbsent(reasons, k -> new ArrayList<>()).add(p.getMetadata().getName());
            }
        }
        if (byReasons.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        out.add("existing pods in namespace \"" + namespace + "\" violate the new PodSecurity enforce level \""
                + enforce + "\"");
        byReasons.forEach((reasons, names) -> {
            int others = names.size() - 1;
            out.add(names.getFirst() + (others == 0 ? "" : " (and " + others + " other pod" + (others == 1 ? "" : "s") + ")")
                    + ": " + reasons);
        });
        return out;
    }

    // ---- pods -------------------------------------------------------------------------------

    private void validatePod(AdmissionRequest r) {
        Pod pod = (Pod) r.object();
        if (pod.getSpec() == null || exempt(r, r.namespace()) || exemptRuntimeClass(pod.getSpec())) {
            return;
        }
        if (r.operation() == AdmissionRequest.Operation.UPDATE && r.old() instanceof Pod old
                && r.subresource().isEmpty() && !significantUpdate(old, pod)) {
            return;
        }
        Policy policy = namespacePolicy(r.namespace());
        List<PodSecurityChecks.Violation> enforced = PodSecurityChecks.check(pod.getMetadata(), pod.getSpec(), policy.enforce());
        if (!enforced.isEmpty()) {
            RequestAudit.annotate(ENFORCE_POLICY, policy.enforce().toString());
            String name = pod.getMetadata().getName() != null && !pod.getMetadata().getName().isEmpty()
                    ? pod.getMetadata().getName() : Optional.ofNullable(pod.getMetadata().getGenerateName()).orElse("");
            throw ApiException.forbidden("pods \"" + name + "\" is forbidden: violates PodSecurity \"" + policy.enforce()
                    + "\": " + join(enforced));
        }
        auditAndWarn(r, pod.getMetadata(), pod.getSpec(), policy);
    }

    /**
     * Kubernetes checks a pod update again only when it changes more than the fields a running pod
     * may change anyway (images, activeDeadlineSeconds, tolerations) or metadata.
     */
    private static boolean significantUpdate(Pod old, Pod next) {
        return !Objects.equals(comparable(old.getSpec()), comparable(next.getSpec()));
    }

    private static JsonNode comparable(PodSpec spec) {
        if (spec == null) {
            return null;
        }
        PodSpec copy = Json.MAPPER.convertValue(spec, PodSpec.class);
        copy.getContainers().forEach(c -> c.setImage(null));
        copy.getInitContainers().forEach(c -> c.setImage(null));
        copy.setActiveDeadlineSeconds(null);
        copy.setTolerations(null);
        return Json.MAPPER.valueToTree(copy);
    }

    // ---- workloads --------------------------------------------------------------------------

    private void validateWorkload(AdmissionRequest r) {
        if (exempt(r, r.namespace())) {
            return;
        }
        PodTemplateSpec template = template(r.object());
        if (template == null || template.getSpec() == null || exemptRuntimeClass(template.getSpec())) {
            return;
        }
        if (r.operation() == AdmissionRequest.Operation.UPDATE && r.old() != null) {
            PodTemplateSpec before = template(r.old());
            if (before != null && Objects.equals(Json.MAPPER.valueToTree(before), Json.MAPPER.valueToTree(template))) {
                return;
            }
        }
        auditAndWarn(r, template.getMetadata(), template.getSpec(), namespacePolicy(r.namespace()));
    }

    /** spec.template, spec.jobTemplate.spec.template (CronJob), or template (PodTemplate). */
    static PodTemplateSpec template(HasMetadata workload) {
        JsonNode n = Json.MAPPER.valueToTree(workload);
        JsonNode t = n.path("spec").path("template");
        if (t.isMissingNode()) t = n.path("spec").path("jobTemplate").path("spec").path("template");
        if (t.isMissingNode()) t = n.path("template");
        return t.isMissingNode() || t.isNull() ? null : Json.MAPPER.convertValue(t, PodTemplateSpec.class);
    }

    // ---- shared -----------------------------------------------------------------------------

    private void auditAndWarn(AdmissionRequest r, ObjectMeta meta, PodSpec spec, Policy policy) {
        List<PodSecurityChecks.Violation> audited = PodSecurityChecks.check(meta, spec, policy.audit());
        if (!audited.isEmpty()) {
            RequestAudit.annotate(AUDIT_VIOLATIONS, "would violate PodSecurity \"" + policy.audit() + "\": " + join(audited));
        }
        List<PodSecurityChecks.Violation> warned = PodSecurityChecks.check(meta, spec, policy.warn());
        if (!warned.isEmpty()) {
            r.warnings().add("would violate PodSecurity \"" + policy.warn() + "\": " + join(warned));
        }
    }

    private boolean exempt(AdmissionRequest r, String namespace) {
        boolean byUser = r.user() != null && config.exemptUsernames().contains(r.user().name());
        boolean byNamespace = namespace != null && config.exemptNamespaces().contains(namespace);
        if (byUser || byNamespace) {
            RequestAudit.annotate(EXEMPT, byUser ? "user" : "namespace");
            return true;
        }
        return false;
    }

    private boolean exemptRuntimeClass(PodSpec spec) {
        return spec.getRuntimeClassName() != null && config.exemptRuntimeClasses().contains(spec.getRuntimeClassName());
    }

    private Policy namespacePolicy(String namespace) {
        CachedObject o = namespace == null ? null : storage.find(namespaces, "", namespace);
        Map<String, String> labels = o == null ? Map.of() : labels(storage.typed(namespaces, o).getMetadata());
        return policy(labels, null);
    }

    /**
     * The namespace's policy from its labels, the configured defaults where a label is absent.
     * With {@code errors} given, bad values are reported there; without, a bad value means
     * restricted:latest, as in Kubernetes (an invalid label never loosens the policy).
     */
    Policy policy(Map<String, String> labels, List<FieldError> errors) {
        return new Policy(mode(labels, ENFORCE, config.enforce(), errors), mode(labels, AUDIT, config.audit(), errors),
                mode(labels, WARN, config.warn(), errors));
    }

    private static LevelVersion mode(Map<String, String> labels, String key, LevelVersion fallback, List<FieldError> errors) {
        String levelValue = labels.get(key);
        String versionValue = labels.get(key + "-version");
        Level level = fallback.level();
        int minor = fallback.minor();
        boolean bad = false;
        if (levelValue != null) {
            Optional<Level> l = Level.parse(levelValue);
            if (l.isPresent()) {
                level = l.get();
                minor = LevelVersion.LATEST;
            } else {
                bad = true;
                if (errors != null) {
                    errors.add(FieldError.invalid("metadata.labels[" + key + "]", levelValue,
                            "must be one of privileged, baseline, restricted"));
                }
            }
        }
        if (versionValue != null) {
            Optional<Integer> v = LevelVersion.parseVersion(versionValue);
            if (v.isPresent()) {
                minor = v.get();
            } else {
                bad = true;
                if (errors != null) {
                    errors.add(FieldError.invalid("metadata.labels[" + key + "-version]", versionValue,
                            "must be \"latest\" or of the form \"v1.x\""));
                }
            }
        }
        return bad ? LevelVersion.RESTRICTED_LATEST : new LevelVersion(level, minor);
    }

    private static Map<String, String> labels(ObjectMeta meta) {
        return meta == null || meta.getLabels() == null ? Map.of() : meta.getLabels();
    }

    private static String join(List<PodSecurityChecks.Violation> violations) {
        return violations.stream().map(PodSecurityChecks.Violation::toString).collect(Collectors.joining(", "));
    }
}
