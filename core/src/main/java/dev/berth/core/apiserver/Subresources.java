package dev.berth.core.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.api.FieldError;
import dev.berth.core.api.Json;
import dev.berth.core.apiserver.auth.UserInfo;
import dev.berth.core.apiserver.cache.CachedObject;
import dev.berth.core.apiserver.http.ApiRequest;
import dev.berth.core.apiserver.http.ApiResponse;
import dev.berth.core.apiserver.registry.ResourceRegistry;
import dev.berth.core.apiserver.registry.ResourceType;

import java.util.List;

/** status, scale, binding, eviction, finalize, approval and token subresources. */
public final class Subresources {
    private final ResourceRegistry registry;
    private final ResourceStorage storage;
    private final WireFormats formats;
    private ApiHandlers handlers;

    public Subresources(ResourceRegistry registry, ResourceStorage storage, WireFormats formats) {
        this.registry = registry;
        this.storage = storage;
        this.formats = formats;
    }

    /** The {@code subresources.scale} of a custom resource's CRD version, or null. */
    private volatile java.util.function.Function<ResourceType, JsonNode> customScale = t -> null;

    public void useCustomScale(java.util.function.Function<ResourceType, JsonNode> customScale) {
        this.customScale = customScale;
    }

    private volatile dev.berth.core.apiserver.proxy.PodStreamProxy podStreams;
    private volatile dev.berth.core.apiserver.proxy.NodeProxy nodeProxy;

    /** Passes logs, exec, attach and port-forward to the pod's node agent through this dialer. */
    void useNodeDialer(dev.berth.core.apiserver.proxy.NodeDialer dialer) {
        ResourceType nodes = registry.find("", "v1", "nodes").orElseThrow();
        podStreams = new dev.berth.core.apiserver.proxy.PodStreamProxy(dialer, n -> storage.get(nodes, "", n).tree());
        nodeProxy = new dev.berth.core.apiserver.proxy.NodeProxy(dialer);
    }

    private ServiceAccountTokens serviceAccountTokens;

    void useServiceAccountTokens(ServiceAccountTokens tokens) {
        this.serviceAccountTokens = tokens;
    }

    void setHandlers(ApiHandlers handlers) {
        this.handlers = handlers;
    }

    ApiResponse handle(ApiRequest req, RequestInfo info, ResourceType served, UserInfo user) {
        ResourceType type = registry.byStorage(served.storage()).getFirst();
        String ns = type.namespaced() ? info.namespace() : "";
        String name = info.name();
        String sub = info.subresource();
        String m = req.method();
        return switch (sub) {
            case "status", "approval" -> switch (m) {
                case "GET" -> formats.object(req, served, storage.get(type, ns, name).json(), 200);
                case "PUT" -> formats.object(req, served, storage.update(type, ns, name, formats.decodeBody(req, served),
                        handlers.writeOptions(req, user), sub.equals("approval") ? "status" : sub).json(), 200);
                case "PATCH" -> formats.object(req, served, storage.patch(type, ns, name, req.contentType(), req.body(),
                        handlers.writeOptions(req, user), "status", req.flag("force")).json(), 200);
                default -> throw notAllowed();
            };
            case "finalize" -> {
                if (!m.equals("PUT")) throw notAllowed();
                yield formats.object(req, type, storage.update(type, "", name, formats.decodeBody(req, served),
                        handlers.writeOptions(req, user), "finalize").json(), 200);
            }
            case "scale" -> scale(req, type, ns, name, user, type.isCustom() ? customScale.apply(served) : null);
            case "binding" -> {
                if (!m.equals("POST")) throw notAllowed();
                yield bind(req, type, ns, name, user);
            }
            case "eviction" -> {
                if (!m.equals("POST")) throw notAllowed();
                yield evict(req, type, ns, name, user);
            }
            case "token" -> {
                if (!m.equals("POST")) throw notAllowed();
                if (!type.resource().equals("serviceaccounts") || serviceAccountTokens == null) {
                    throw new ApiException(404, "NotFound", "the server could not find the requested resource");
                }
                yield serviceAccountTokens.tokenRequest(anyBody(req), storage, type,
                        registry.find("", "v1", "pods").orElseThrow(), ns, name);
            }
            case "log", "exec", "attach", "portforward" -> {
                dev.berth.core.apiserver.proxy.PodStreamProxy proxy = podStreams;
                if (proxy == null) {
                    throw new ApiException(503, "ServiceUnavailable",
                            "pod " + name + ": " + sub + " needs a node agent, and no node serves this pod");
                }
                yield proxy.handle(req, sub, storage.get(type, ns, name).tree());
            }
            case "proxy" -> {
                dev.berth.core.apiserver.proxy.NodeProxy proxy = nodeProxy;
                if (!type.resource().equals("nodes")) {
                    throw new ApiException(404, "NotFound", "the server could not find the requested resource");
                }
                if (proxy == null) {
                    throw new ApiException(503, "ServiceUnavailable",
                            "node " + name + ": proxy needs a node agent, and this server reaches no node agents");
                }
                yield proxy.handle(req, storage.get(type, ns, name).tree());
            }
            default -> throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        };
    }

    /** A request body of a kind no resource stores (TokenRequest): JSON, YAML or protobuf as the client sent it. */
    static ObjectNode anyBody(ApiRequest req) {
        if (req.body().length == 0) {
            return Json.MAPPER.createObjectNode();
        }
        return switch (req.contentType()) {
            case "application/vnd.kubernetes.protobuf" -> dev.berth.core.apiserver.protobuf.ProtobufDecoder.decode(req.body());
            case "application/yaml" -> WireFormats.parseYaml(req.body());
            default -> WireFormats.parseJson(req.body());
        };
    }

    private static ApiException notAllowed() {
        return ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
    }

    private ApiResponse scale(ApiRequest req, ResourceType type, String ns, String name, UserInfo user,
                              JsonNode custom) {
        switch (req.method()) {
            case "GET" -> {
                return ApiResponse.Full.json(200, Json.bytes(scaleOf(type, storage.get(type, ns, name), custom)));
            }
            case "PUT", "PATCH" -> {
                for (int attempt = 0; ; attempt++) {
                    CachedObject current = storage.get(type, ns, name);
                    ObjectNode scale = scaleOf(type, current, custom);
                    ObjectNode desired;
                    if (req.method().equals("PUT")) {
                        desired = WireFormats.parseJson(req.body());
                        String rv = desired.path("metadata").path("resourceVersion").asText("");
                        if (!rv.isEmpty() && !rv.equals(Long.toString(current.modRevision()))) {
                            throw ApiException.modified(type.group(), type.resource(), name);
                        }
                    } else {
                        ResourceType scaleType = new ResourceType("autoscaling", "v1", "scale", "scale", "Scale",
                                true, List.of(), List.of(), io.fabric8.kubernetes.api.model.autoscaling.v1.Scale.class,
                                java.util.Set.of(), "autoscaling/scale", List.of());
                        desired = storage.patchEngine().patch(scaleType, scale, req.contentType(), req.body());
                    }
                    JsonNode replicas = desired.path("spec").path("replicas");
                    if (!replicas.isMissingNode() && !replicas.isIntegralNumber()) {
                        throw ApiException.invalid("autoscaling", "Scale", name, List.of(
                                FieldError.invalid("spec.replicas", replicas.asText(), "must be an integer")));
                    }
                    int n = replicas.isMissingNode() ? 0 : replicas.asInt();
                    if (n < 0) {
                        throw ApiException.invalid("autoscaling", "Scale", name, List.of(
                                FieldError.invalid("spec.replicas", n, "must be greater than or equal to 0")));
                    }
                    ObjectNode obj = current.tree();
                    if (custom != null) {
                        CustomScale.set(obj, custom.path("specReplicasPath").asText(), n);
                    } else {
                        obj.withObject("spec").put("replicas", n);
                    }
                    ((ObjectNode) obj.get("metadata")).put("resourceVersion", Long.toString(current.modRevision()));
                    try {
                        ResourceStorage.Result r = storage.update(type, ns, name, obj, handlers.writeOptions(req, user), "");
                        CachedObject after = new CachedObject(current.key(), ns, name, r.json(),
                                Long.parseLong(r.object().getMetadata().getResourceVersion() == null ? "0"
                                        : r.object().getMetadata().getResourceVersion()), current.labels(), current.fields());
                        return ApiResponse.Full.json(200, Json.bytes(scaleOf(type, after, custom)));
                    } catch (ApiException e) {
                        if (e.code() != 409 || req.method().equals("PUT") || attempt > 8) {
                            throw e;
                        }
                    }
                }
            }
            default -> throw notAllowed();
        }
    }

    private static ObjectNode scaleOf(ResourceType type, CachedObject o, JsonNode custom) {
        if (custom != null) {
            return CustomScale.scaleOf(o.tree(), custom);
        }
        ObjectNode obj = o.tree();
        ObjectNode s = CustomScale.scaleHeader(obj);
        s.putObject("spec").put("replicas", obj.path("spec").path("replicas").asInt(1));
        ObjectNode st = s.putObject("status");
        st.put("replicas", obj.path("status").path("replicas").asInt(0));
        JsonNode sel = obj.path("spec").path("selector");
        String selector = selectorString(type, sel);
        if (!selector.isEmpty()) {
            st.put("selector", selector);
        }
        return s;
    }

    /** A label selector as the query-string form Scale.status.selector carries. */
    static String selectorString(ResourceType type, JsonNode sel) {
        StringBuilder sb = new StringBuilder();
        if (type.resource().equals("replicationcontrollers")) {
            sel.properties().forEach(e -> append(sb, e.getKey() + "=" + e.getValue().asText()));
            return sb.toString();
        }
        sel.path("matchLabels").properties().forEach(e -> append(sb, e.getKey() + "=" + e.getValue().asText()));
        for (JsonNode expr : sel.path("matchExpressions")) {
            String key = expr.path("key").asText();
            List<String> values = new java.util.ArrayList<>();
            expr.path("values").forEach(v -> values.add(v.asText()));
            switch (expr.path("operator").asText()) {
                case "In" -> append(sb, key + " in (" + String.join(",", values) + ")");
                case "NotIn" -> append(sb, key + " notin (" + String.join(",", values) + ")");
                case "Exists" -> append(sb, key);
                case "DoesNotExist" -> append(sb, "!" + key);
                default -> { }
            }
        }
        return sb.toString();
    }

    private static void append(StringBuilder sb, String s) {
        if (!sb.isEmpty()) sb.append(',');
        sb.append(s);
    }

    /** {@code POST /api/v1/namespaces/NS/bindings}: the pod is named by the Binding itself. */
    ApiResponse bindLegacy(ApiRequest req, RequestInfo info, UserInfo user) {
        String name = WireFormats.parseJson(req.body()).path("metadata").path("name").asText("");
        if (name.isEmpty()) {
            throw ApiException.invalid("", "Binding", "", List.of(FieldError.required("metadata.name", "")));
        }
        ResourceType pods = registry.find("", "v1", "pods").orElseThrow();
        return bind(req, pods, info.namespace(), name, user);
    }

    private ApiResponse bind(ApiRequest req, ResourceType type, String ns, String name, UserInfo user) {
        ObjectNode binding = WireFormats.parseJson(req.body());
        String node = binding.path("target").path("name").asText("");
        if (node.isEmpty()) {
            throw ApiException.invalid("", "Binding", name, List.of(FieldError.required("target.name", "")));
        }
        for (int attempt = 0; ; attempt++) {
            CachedObject current = storage.get(type, ns, name);
            ObjectNode pod = current.tree();
            String assigned = pod.path("spec").path("nodeName").asText("");
            if (!assigned.isEmpty()) {
                throw ApiException.conflict("", "pods/binding", name, "pod " + name + " is already assigned to node \""
                        + assigned + "\"");
            }
            if (pod.path("metadata").hasNonNull("deletionTimestamp")) {
                throw ApiException.conflict("", "pods/binding", name, "pod " + name + " is being deleted, cannot be assigned to a host");
            }
            pod.withObject("spec").put("nodeName", node);
            ObjectNode status = pod.withObject("status");
            ArrayNode conditions = status.has("conditions") && status.get("conditions").isArray()
                    ? (ArrayNode) status.get("conditions") : status.putArray("conditions");
            ObjectNode cond = null;
            for (JsonNode c : conditions) {
                if ("PodScheduled".equals(c.path("type").asText())) cond = (ObjectNode) c;
            }
            if (cond == null) cond = conditions.addObject();
            cond.put("type", "PodScheduled");
            cond.put("status", "True");
            cond.putNull("lastProbeTime");
            cond.put("lastTransitionTime", ResourceStorage.timestamp(storage.clock().instant()));
            cond.remove(List.of("reason", "message"));
            ((ObjectNode) pod.get("metadata")).put("resourceVersion", Long.toString(current.modRevision()));
            try {
                // spec.nodeName and the condition change together: write through the status path and the spec path
                storage.bindWrite(type, current, pod, handlers.writeOptions(req, user));
                return ApiResponse.Full.json(201, StatusErrors.success("", "pods", name, null));
            } catch (ApiException e) {
                if (e.code() != 409 || !e.getMessage().contains("modified") || attempt > 8) {
                    throw e;
                }
            }
        }
    }

    /** Kubernetes refuses an eviction when the budget has recorded this many evictions it has not yet seen happen. */
    static final int MAX_DISRUPTED_PODS = 2000;

    /**
     * The eviction API: deletes the pod unless that would break its PodDisruptionBudget. A granted
     * eviction takes one of the budget's {@code disruptionsAllowed} and records the pod under
     * {@code status.disruptedPods} (a conditional write, so concurrent evictions cannot both take
     * the last one) before the pod is deleted.
     */
    private ApiResponse evict(ApiRequest req, ResourceType type, String ns, String name, UserInfo user) {
        ResourceStorage.DeleteOptions opts = ResourceStorage.DeleteOptions.DEFAULT;
        if (req.body().length > 0) {
            JsonNode ev = Json.parse(req.body());
            JsonNode d = ev.path("deleteOptions");
            Long grace = d.hasNonNull("gracePeriodSeconds") ? d.get("gracePeriodSeconds").asLong() : null;
            opts = new ResourceStorage.DeleteOptions(grace, null,
                    d.path("preconditions").hasNonNull("uid") ? d.path("preconditions").get("uid").asText() : null,
                    d.path("preconditions").hasNonNull("resourceVersion") ? d.path("preconditions").get("resourceVersion").asText() : null,
                    false);
        }
        ResourceStorage.WriteOptions write = handlers.writeOptions(req, user);
        JsonNode pod = Json.parse(storage.get(type, ns, name).json());
        if (!canIgnoreBudget(pod)) {
            takeDisruption(ns, name, pod, write);
        }
        if (write.dryRun()) {
            return ApiResponse.Full.json(201, StatusErrors.success("policy", "Eviction", name, null));
        }
        storage.delete(type, ns, name, opts, user);
        return ApiResponse.Full.json(201, StatusErrors.success("policy", "Eviction", name, null));
    }

    /** As Kubernetes: pods that are not running, or already going, are evicted without asking a budget. */
    private static boolean canIgnoreBudget(JsonNode pod) {
        String phase = pod.path("status").path("phase").asText("");
        return phase.equals("Succeeded") || phase.equals("Failed") || phase.equals("Pending")
                || pod.path("metadata").hasNonNull("deletionTimestamp");
    }

    private static boolean isReady(JsonNode pod) {
        for (JsonNode c : pod.path("status").path("conditions")) {
            if ("Ready".equals(c.path("type").asText())) {
                return "True".equals(c.path("status").asText());
            }
        }
        return false;
    }

    private void takeDisruption(String ns, String podName, JsonNode pod, ResourceStorage.WriteOptions write) {
        ResourceType pdbType = registry.find("policy", "v1", "poddisruptionbudgets").orElse(null);
        if (pdbType == null) {
            return;
        }
        java.util.Map<String, String> labels = pod.path("metadata").has("labels")
                ? Json.MAPPER.convertValue(pod.path("metadata").path("labels"),
                new com.fasterxml.jackson.core.type.TypeReference<java.util.Map<String, String>>() {
                })
                : java.util.Map.of();
        for (int attempt = 0; ; attempt++) {
            storage.fresh();
            List<CachedObject> budgets = storage.cache().resource(pdbType.storage()).list(pdbType.namespacePrefix(ns))
                    .stream().filter(b -> selects(Json.parse(b.json()), labels)).toList();
            if (budgets.isEmpty()) {
                return;
            }
            if (budgets.size() > 1) {
                throw ApiException.internal("This pod has more than one PodDisruptionBudget, which the eviction "
                        + "subresource does not support.");
            }
            CachedObject cached = budgets.getFirst();
            ObjectNode pdb = (ObjectNode) Json.parse(cached.json());
            String pdbName = pdb.path("metadata").path("name").asText();
            JsonNode status = pdb.path("status");
            long desiredHealthy = status.path("desiredHealthy").asLong(0);
            long currentHealthy = status.path("currentHealthy").asLong(0);
            if (!isReady(pod)) {
                // an unhealthy pod does not count towards the budget: evicting it costs nothing
                if ("AlwaysAllow".equals(pdb.path("spec").path("unhealthyPodEvictionPolicy").asText())) {
                    return;
                }
                if (currentHealthy >= desiredHealthy && desiredHealthy > 0) {
                    return;
                }
            }
            if (status.path("observedGeneration").asLong(0) < pdb.path("metadata").path("generation").asLong(0)) {
                throw tooManyRequests("The disruption budget " + pdbName + " is still being processed by the server.");
            }
            long allowed = status.path("disruptionsAllowed").asLong(0);
            if (allowed < 0) {
                throw ApiException.forbidden("pdb disruptions allowed is negative");
            }
            if (status.path("disruptedPods").size() > MAX_DISRUPTED_PODS) {
                throw ApiException.forbidden("DisruptedPods map too big - too many evictions not confirmed by PDB controller");
            }
            if (allowed == 0) {
                throw tooManyRequests("The disruption budget " + pdbName + " needs " + desiredHealthy
                        + " healthy pods and has " + currentHealthy + " currently");
            }
            if (write.dryRun()) {
                return;
            }
            ObjectNode newStatus = pdb.has("status") ? (ObjectNode) pdb.get("status") : pdb.putObject("status");
            newStatus.put("disruptionsAllowed", allowed - 1);
            ObjectNode disrupted = newStatus.has("disruptedPods") && newStatus.get("disruptedPods").isObject()
                    ? (ObjectNode) newStatus.get("disruptedPods") : newStatus.putObject("disruptedPods");
            disrupted.put(podName, ResourceStorage.timestamp(storage.clock().instant()));
            ((ObjectNode) pdb.get("metadata")).put("resourceVersion", Long.toString(cached.modRevision()));
            try {
                storage.update(pdbType, ns, pdbName, pdb, write, "status");
                return;
            } catch (ApiException e) {
                if (e.code() != 409 || attempt > 8) {
                    throw e;
                }
            }
        }
    }

    private static boolean selects(JsonNode pdb, java.util.Map<String, String> labels) {
        JsonNode selector = pdb.path("spec").path("selector");
        if (selector.isMissingNode() || selector.isNull()) {
            return false; // policy/v1: a budget without a selector selects nothing
        }
        var parsed = Json.MAPPER.convertValue(selector, io.fabric8.kubernetes.api.model.LabelSelector.class);
        return dev.berth.core.api.labels.LabelSelector.from(parsed).matches(labels);
    }

    private static ApiException tooManyRequests(String cause) {
        return new ApiException(429, "TooManyRequests",
                "Cannot evict pod as it would violate the pod's disruption budget.", null, null, null,
                List.of(new FieldError("DisruptionBudget", null, cause, null)), null);
    }

    ResourceRegistry registry() {
        return registry;
    }
}
