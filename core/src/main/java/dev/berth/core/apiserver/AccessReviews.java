package dev.berth.core.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.api.FieldError;
import dev.berth.core.api.Json;
import dev.berth.core.apiserver.auth.Authorizer;
import dev.berth.core.apiserver.auth.ClusterAuthorization;
import dev.berth.core.apiserver.auth.UserInfo;
import dev.berth.core.apiserver.auth.node.NodeAuthorizer;
import dev.berth.core.apiserver.auth.rbac.RbacRules;
import dev.berth.core.apiserver.http.ApiRequest;
import dev.berth.core.apiserver.http.ApiResponse;
import dev.berth.core.apiserver.registry.ResourceType;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;

import java.util.ArrayList;
import java.util.List;

/**
 * The review resources, created and answered at once, never stored: SelfSubjectAccessReview,
 * SubjectAccessReview, LocalSubjectAccessReview and SelfSubjectRulesReview
 * ({@code authorization.k8s.io/v1}, what {@code kubectl auth can-i} asks), and
 * SelfSubjectReview ({@code authentication.k8s.io/v1}, {@code kubectl auth whoami}).
 */
final class AccessReviews {
    static final String AUTHORIZATION = "authorization.k8s.io";
    static final String AUTHENTICATION = "authentication.k8s.io";

    private final Authorizer authorizer;

    AccessReviews(Authorizer authorizer) {
        this.authorizer = authorizer;
    }

    static boolean serves(ResourceType type) {
        return type.group().equals(AUTHORIZATION) || type.group().equals(AUTHENTICATION);
    }

    ApiResponse handle(ApiRequest req, RequestInfo info, ResourceType type, UserInfo user) {
        if (!info.verb().equals("create") || !info.name().isEmpty() || !info.subresource().isEmpty()) {
            throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
        }
        ObjectNode body = Subresources.anyBody(req);
        body.put("apiVersion", type.apiVersion());
        body.put("kind", type.kind());
        ObjectNode meta = body.withObject("metadata");
        meta.put("creationTimestamp", (String) null);
        ObjectNode spec = body.withObject("spec");
        ObjectNode status = body.putObject("status");
        switch (type.resource()) {
            case "selfsubjectreviews" -> {
                ObjectNode ui = status.putObject("userInfo");
                ui.put("username", user.name());
                ArrayNode g = ui.putArray("groups");
                user.groups().forEach(g::add);
            }
            case "selfsubjectaccessreviews" -> review(spec, status, user, "", type);
            case "subjectaccessreviews" -> review(spec, status, subject(spec, type), "", type);
            case "localsubjectaccessreviews" -> review(spec, status, subject(spec, type), info.namespace(), type);
            case "selfsubjectrulesreviews" -> rules(spec, status, user);
            default -> throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }
        return ApiResponse.Full.json(201, Json.bytes(body));
    }

    private static UserInfo subject(ObjectNode spec, ResourceType type) {
        String user = spec.path("user").asText("");
        List<String> groups = new ArrayList<>();
        spec.path("groups").forEach(g -> groups.add(g.asText()));
        if (user.isEmpty() && groups.isEmpty()) {
            throw ApiException.invalid(type.group(), type.kind(), "", List.of(FieldError.required("spec.user",
                    "at least one of user or group must be specified")));
        }
        return new UserInfo(user, groups);
    }

    private void review(ObjectNode spec, ObjectNode status, UserInfo user, String localNamespace, ResourceType type) {
        JsonNode ra = spec.path("resourceAttributes");
        JsonNode nra = spec.path("nonResourceAttributes");
        if (ra.isObject() == nra.isObject()) {
            throw ApiException.invalid(type.group(), type.kind(), "", List.of(FieldError.invalid(
                    "spec.resourceAttributes", ra.isObject() ? "<set>" : "<nil>",
                    "exactly one of nonResourceAttributes or resourceAttributes must be specified")));
        }
        RbacRules.Attributes a;
        if (ra.isObject()) {
            String ns = ra.path("namespace").asText("");
            if (!localNamespace.isEmpty()) {
                if (!ns.isEmpty() && !ns.equals(localNamespace)) {
                    throw ApiException.invalid(type.group(), type.kind(), "", List.of(FieldError.invalid(
                            "spec.resourceAttributes.namespace", ns, "must match metadata.namespace")));
                }
                ns = localNamespace;
            }
            a = RbacRules.Attributes.resource(ra.path("verb").asText(""), ra.path("group").asText(""),
                    ra.path("resource").asText(""), ra.path("subresource").asText(""), ns, ra.path("name").asText(""));
        } else {
            a = RbacRules.Attributes.nonResource(nra.path("verb").asText(""), nra.path("path").asText(""));
        }
        Authorizer.Decision d = authorizer instanceof ClusterAuthorization c ? c.authorize(user, a)
                : authorizer.authorize(user, new RequestInfo(a.resourceRequest(), a.path(), a.verb(), "",
                a.apiGroup(), "", a.namespace(), a.resource(), a.subresource(), a.name(), List.of()));
        status.put("allowed", d.allowed());
        if (!d.reason().isEmpty()) {
            status.put("reason", d.reason());
        }
    }

    private void rules(ObjectNode spec, ObjectNode status, UserInfo user) {
        String ns = spec.path("namespace").asText("");
        ArrayNode resourceRules = status.putArray("resourceRules");
        ArrayNode nonResourceRules = status.putArray("nonResourceRules");
        if (!(authorizer instanceof ClusterAuthorization c)) {
            status.put("incomplete", true);
            status.put("evaluationError", "this server does not evaluate RBAC");
            return;
        }
        List<PolicyRule> rules = c.rbac().rulesFor(user, ns);
        for (PolicyRule r : rules) {
            if (!r.getNonResourceURLs().isEmpty()) {
                ObjectNode n = nonResourceRules.addObject();
                n.set("verbs", Json.MAPPER.valueToTree(r.getVerbs()));
                n.set("nonResourceURLs", Json.MAPPER.valueToTree(r.getNonResourceURLs()));
            }
            if (!r.getResources().isEmpty() || !r.getApiGroups().isEmpty()) {
                ObjectNode n = resourceRules.addObject();
                n.set("verbs", Json.MAPPER.valueToTree(r.getVerbs()));
                n.set("apiGroups", Json.MAPPER.valueToTree(r.getApiGroups()));
                n.set("resources", Json.MAPPER.valueToTree(r.getResources()));
                if (!r.getResourceNames().isEmpty()) {
                    n.set("resourceNames", Json.MAPPER.valueToTree(r.getResourceNames()));
                }
            }
        }
        boolean incomplete = NodeAuthorizer.nodeName(user) != null;
        status.put("incomplete", incomplete);
        if (incomplete) {
            status.put("evaluationError", "node authorizer does not support user rule resolution");
        }
    }
}
