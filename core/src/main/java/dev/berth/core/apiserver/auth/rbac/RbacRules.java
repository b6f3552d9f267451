package dev.berth.core.apiserver.auth.rbac;

import dev.berth.core.apiserver.RequestInfo;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;

import java.util.ArrayList;
import java.util.List;

/**
 * How one RBAC rule matches a request, exactly as Kubernetes' rbac authorizer does
 * ({@code RuleAllows}): verbs, API groups, resources with subresources ({@code pods/log},
 * {@code *}, {@code *}/{@code scale}), resourceNames, and non-resource URLs with a {@code *} suffix.
 */
public final class RbacRules {
    public static final String ALL = "*";

    private RbacRules() {}

    /** What a request asks, as the authorizers see it. */
    public record Attributes(boolean resourceRequest, String verb, String apiGroup, String resource,
                             String subresource, String namespace, String name, String path) {
        public static Attributes of(RequestInfo info) {
            return new Attributes(info.resourceRequest(), info.verb(), info.group(), info.resource(),
                    info.subresource(), info.namespace(), info.name(), info.path());
        }

        public static Attributes resource(String verb, String group, String resource, String subresource,
                                          String namespace, String name) {
            return new Attributes(true, verb, n(group), n(resource), n(subresource), n(namespace), n(name), "");
        }

        public static Attributes nonResource(String verb, String path) {
            return new Attributes(false, verb, "", "", "", "", "", path);
        }

        private static String n(String s) {
            return s == null ? "" : s;
        }

        /** {@code pods} or {@code pods/log}. */
        public String combinedResource() {
            return subresource.isEmpty() ? resource : resource + "/" + subresource;
        }
    }

    public static boolean allows(Attributes a, PolicyRule rule) {
        if (a.resourceRequest()) {
            return verbMatches(rule, a.verb()) && apiGroupMatches(rule, a.apiGroup())
                    && resourceMatches(rule, a.combinedResource(), a.subresource())
                    && resourceNameMatches(rule, a.name());
        }
        return verbMatches(rule, a.verb()) && nonResourceUrlMatches(rule, a.path());
    }

    public static boolean allowsAny(Attributes a, List<PolicyRule> rules) {
        for (PolicyRule r : rules) {
            if (allows(a, r)) {
                return true;
            }
        }
        return false;
    }

    static boolean verbMatches(PolicyRule rule, String verb) {
        return has(rule.getVerbs(), ALL) || has(rule.getVerbs(), verb);
    }

    static boolean apiGroupMatches(PolicyRule rule, String group) {
        return has(rule.getApiGroups(), ALL) || has(rule.getApiGroups(), group);
    }

    static boolean resourceMatches(PolicyRule rule, String combined, String subresource) {
        for (String r : list(rule.getResources())) {
            if (r.equals(ALL) || r.equals(combined)) {
                return true;
            }
            // "*/scale" matches the scale subresource of every resource
            if (!subresource.isEmpty() && r.length() == subresource.length() + 2 && r.startsWith("*/")
                    && r.endsWith(subresource)) {
                return true;
            }
        }
        return false;
    }

    static boolean resourceNameMatches(PolicyRule rule, String name) {
        List<String> names = list(rule.getResourceNames());
        return names.isEmpty() || names.contains(name);
    }

    static boolean nonResourceUrlMatches(PolicyRule rule, String path) {
        for (String u : list(rule.getNonResourceURLs())) {
            if (u.equals(ALL) || u.equals(path)) {
                return true;
            }
            if (u.endsWith("*") && path.startsWith(u.substring(0, u.length() - 1))) {
                return true;
            }
        }
        return false;
    }

    // ---- covering (escalation checks) ------------------------------------------------------

    /**
     * The parts of {@code servant} that {@code owner} does not cover, each broken down to one
     * verb, group, resource (and name or URL), as Kubernetes' {@code validation.Covers}.
     */
    public static List<PolicyRule> uncovered(List<PolicyRule> owner, List<PolicyRule> servant) {
        List<PolicyRule> missing = new ArrayList<>();
        for (PolicyRule rule : servant) {
            for (PolicyRule part : breakdown(rule)) {
                boolean covered = false;
                for (PolicyRule o : owner) {
                    if (covers(o, part)) {
                        covered = true;
                        break;
                    }
                }
                if (!covered) {
                    missing.add(part);
                }
            }
        }
        return missing;
    }

    /** One rule per group x resource x verb (x resourceName), or per URL x verb. */
    static List<PolicyRule> breakdown(PolicyRule rule) {
        List<PolicyRule> out = new ArrayList<>();
        for (String group : list(rule.getApiGroups())) {
            for (String resource : list(rule.getResources())) {
                for (String verb : list(rule.getVerbs())) {
                    if (list(rule.getResourceNames()).isEmpty()) {
                        out.add(rule(List.of(group), List.of(resource), List.of(), List.of(), List.of(verb)));
                    } else {
                        for (String name : rule.getResourceNames()) {
                            out.add(rule(List.of(group), List.of(resource), List.of(name), List.of(), List.of(verb)));
                        }
                    }
                }
            }
        }
        for (String url : list(rule.getNonResourceURLs())) {
            for (String verb : list(rule.getVerbs())) {
                out.add(rule(List.of(), List.of(), List.of(), List.of(url), List.of(verb)));
            }
        }
        return out;
    }

    static boolean covers(PolicyRule owner, PolicyRule servant) {
        boolean verbs = has(owner.getVerbs(), ALL) || list(owner.getVerbs()).containsAll(list(servant.getVerbs()));
        boolean groups = has(owner.getApiGroups(), ALL) || list(owner.getApiGroups()).containsAll(list(servant.getApiGroups()));
        boolean resources = resourcesCover(list(owner.getResources()), list(servant.getResources()));
        boolean urls = urlsCover(list(owner.getNonResourceURLs()), list(servant.getNonResourceURLs()));
        boolean names = list(owner.getResourceNames()).isEmpty()
                || (!list(servant.getResourceNames()).isEmpty()
                && list(owner.getResourceNames()).containsAll(list(servant.getResourceNames())));
        return verbs && groups && resources && urls && names;
    }

    private static boolean resourcesCover(List<String> owner, List<String> servant) {
        if (owner.contains(ALL) || owner.containsAll(servant)) {
            return true;
        }
        for (String r : servant) {
            if (owner.contains(r)) {
                continue;
            }
            int slash = r.indexOf('/');
            if (slash < 0 || !owner.contains("*/" + r.substring(slash + 1))) {
                return false;
            }
        }
        return true;
    }

    private static boolean urlsCover(List<String> owner, List<String> servant) {
        for (String u : servant) {
            boolean ok = false;
            for (String o : owner) {
                if (o.equals(u) || o.equals(ALL) || (o.endsWith("*") && u.startsWith(o.substring(0, o.length() - 1)))) {
                    ok = true;
                    break;
                }
            }
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Kubernetes' {@code CompactString}: {@code {APIGroups:[""], Resources:["pods"], Verbs:["create"]}}. */
    public static String compact(PolicyRule r) {
        List<String> parts = new ArrayList<>();
        if (!list(r.getApiGroups()).isEmpty()) parts.add("APIGroups:" + quoted(r.getApiGroups()));
        if (!list(r.getResources()).isEmpty()) parts.add("Resources:" + quoted(r.getResources()));
        if (!list(r.getNonResourceURLs()).isEmpty()) parts.add("NonResourceURLs:" + quoted(r.getNonResourceURLs()));
        if (!list(r.getResourceNames()).isEmpty()) parts.add("ResourceNames:" + quoted(r.getResourceNames()));
        if (!list(r.getVerbs()).isEmpty()) parts.add("Verbs:" + quoted(r.getVerbs()));
        return "{" + String.join(", ", parts) + "}";
    }

    /** Go's {@code %q} of a string slice: {@code ["a" "b"]}. */
    public static String quoted(List<String> values) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) sb.append(' ');
            sb.append('"').append(values.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return sb.append(']').toString();
    }

    public static PolicyRule rule(List<String> groups, List<String> resources, List<String> names, List<String> urls,
                                  List<String> verbs) {
        PolicyRule r = new PolicyRule();
        r.setApiGroups(new ArrayList<>(groups));
        r.setResources(new ArrayList<>(resources));
        r.setResourceNames(new ArrayList<>(names));
        r.setNonResourceURLs(new ArrayList<>(urls));
        r.setVerbs(new ArrayList<>(verbs));
        return r;
    }

    static List<String> list(List<String> l) {
        return l == null ? List.of() : l;
    }

    private static boolean has(List<String> l, String v) {
        return l != null && l.contains(v);
    }
}
