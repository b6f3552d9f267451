package dev.berth.core.apiserver;

import java.util.List;

/**
 * What a request is about, parsed from its path and method the way Kubernetes does it: the
 * attributes authorization and the handlers decide on.
 *
 * @param resourceRequest false for non-resource paths (/healthz, /version, /api, /openapi/v3 ...)
 * @param verb            get, list, watch, create, update, patch, delete, deletecollection
 * @param name            object name, or "" for collections
 */
public record RequestInfo(boolean resourceRequest, String path, String verb, String apiPrefix, String group,
                          String version, String namespace, String resource, String subresource, String name,
                          List<String> parts) {

    /** Parses {@code /api/v1/namespaces/ns/pods/name/status} and friends; never throws. */
    public static RequestInfo parse(String method, String path, boolean watchParam) {
        String[] segs = java.util.Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
        String lower = method.toLowerCase(java.util.Locale.ROOT);
        if (segs.length < 3 || !(segs[0].equals("api") || segs[0].equals("apis"))
                || (segs[0].equals("apis") && segs.length < 3)) {
            return nonResource(path, lower);
        }
        String group;
        String version;
        int i;
        if (segs[0].equals("api")) {
            group = "";
            version = segs[1];
            i = 2;
        } else {
            group = segs[1];
            version = segs[2];
            i = 3;
            if (segs.length == 3) {
                return nonResource(path, lower);
            }
        }
        List<String> rest = List.of(segs).subList(i, segs.length);
        String namespace = "";
        String resource;
        String name = "";
        String sub = "";
        if (rest.isEmpty()) {
            return nonResource(path, lower);
        }
        if (rest.getFirst().equals("namespaces") && rest.size() >= 3
                && !(rest.size() == 3 && (rest.get(2).equals("status") || rest.get(2).equals("finalize")))) {
            namespace = rest.get(1);
            resource = rest.get(2);
            if (rest.size() >= 4) {
                name = rest.get(3);
            }
            if (rest.size() >= 5) {
                sub = String.join("/", rest.subList(4, rest.size()));
            }
        } else {
            resource = rest.get(0);
            if (rest.size() >= 2) {
                name = rest.get(1);
            }
            if (rest.size() >= 3) {
                // nodes/NAME/proxy/PATH: the subresource is "proxy", the rest is the path to proxy
                sub = rest.get(2).equals("proxy") ? "proxy" : String.join("/", rest.subList(2, rest.size()));
            }
            if (resource.equals("namespaces") && !name.isEmpty()) {
                namespace = name;
            }
        }
        String verb = switch (lower) {
            case "get", "head" -> name.isEmpty() ? (watchParam ? "watch" : "list") : "get";
            case "post" -> "create";
            case "put" -> "update";
            case "patch" -> "patch";
            case "delete" -> name.isEmpty() ? "deletecollection" : "delete";
            default -> lower;
        };
        return new RequestInfo(true, path, verb, segs[0], group, version, namespace, resource, sub, name, rest);
    }

    private static RequestInfo nonResource(String path, String method) {
        return new RequestInfo(false, path, method, "", "", "", "", "", "", "", List.of());
    }
}
