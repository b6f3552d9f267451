package dev.berth.core.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.BerthVersion;
import dev.berth.core.api.Json;
import dev.berth.core.apiserver.registry.ResourceRegistry;
import dev.berth.core.apiserver.registry.ResourceType;

import java.util.List;
import java.util.Map;

/** Discovery documents: /api, /apis, /api/v1, /apis/GROUP[/VERSION], /version. */
public final class Discovery {
    private final ResourceRegistry registry;
    private final String serverAddress;

    public Discovery(ResourceRegistry registry, String serverAddress) {
        this.registry = registry;
        this.serverAddress = serverAddress;
    }

    public byte[] version() {
        ObjectNode v = Json.MAPPER.createObjectNode();
        v.put("major", "1");
        v.put("minor", BerthVersion.kubernetesMinor());
        v.put("gitVersion", BerthVersion.gitVersion());
        v.put("gitCommit", "");
        v.put("gitTreeState", "clean");
        v.put("buildDate", "1970-01-01T00:00:00Z");
        v.put("goVersion", "java" + Runtime.version().feature());
        v.put("compiler", "berth");
        v.put("platform", System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT) + "/"
                + (System.getProperty("os.arch").equals("amd64") || System.getProperty("os.arch").equals("x86_64")
                ? "amd64" : System.getProperty("os.arch")));
        return Json.bytes(v);
    }

    public byte[] coreVersions() {
        ObjectNode v = Json.MAPPER.createObjectNode();
        v.put("kind", "APIVersions");
        v.putArray("versions").add("v1");
        ArrayNode addrs = v.putArray("serverAddressByClientCIDRs");
        ObjectNode a = addrs.addObject();
        a.put("clientCIDR", "0.0.0.0/0");
        a.put("serverAddress", serverAddress);
        return Json.bytes(v);
    }

    public byte[] groups() {
        ObjectNode list = Json.MAPPER.createObjectNode();
        list.put("kind", "APIGroupList");
        list.put("apiVersion", "v1");
        ArrayNode groups = list.putArray("groups");
        for (Map.Entry<String, List<String>> e : registry.groupVersions().entrySet()) {
            if (e.getKey().isEmpty()) {
                continue;
            }
            groups.add(group(e.getKey(), e.getValue()));
        }
        return Json.bytes(list);
    }

    private static ObjectNode group(String name, List<String> versions) {
        ObjectNode g = Json.MAPPER.createObjectNode();
        g.put("name", name);
        ArrayNode vs = g.putArray("versions");
        for (String v : versions) {
            ObjectNode gv = vs.addObject();
            gv.put("groupVersion", name + "/" + v);
            gv.put("version", v);
        }
        ObjectNode pref = g.putObject("preferredVersion");
        pref.put("groupVersion", name + "/" + versions.getFirst());
        pref.put("version", versions.getFirst());
        return g;
    }

    /** {@code /apis/GROUP}, or null when the group is not served. */
    public byte[] group(String name) {
        List<String> versions = registry.groupVersions().get(name);
        if (versions == null || name.isEmpty()) {
            return null;
        }
        ObjectNode g = group(name, versions);
        g.put("kind", "APIGroup");
        g.put("apiVersion", "v1");
        return Json.bytes(g);
    }

    /** {@code /api/v1} or {@code /apis/GROUP/VERSION}, or null when not served. */
    public byte[] resources(String group, String version) {
        List<ResourceType> types = registry.all().stream()
                .filter(t -> t.group().equals(group) && t.version().equals(version)).toList();
        if (types.isEmpty()) {
            return null;
        }
        ObjectNode list = Json.MAPPER.createObjectNode();
        list.put("kind", "APIResourceList");
        list.put("apiVersion", "v1");
        list.put("groupVersion", group.isEmpty() ? version : group + "/" + version);
        ArrayNode rs = list.putArray("resources");
        for (ResourceType t : types) {
            ObjectNode r = rs.addObject();
            r.put("name", t.resource());
            r.put("singularName", t.singular());
            r.put("namespaced", t.namespaced());
            r.put("kind", t.kind());
            ArrayNode verbs = r.putArray("verbs");
            t.verbs().forEach(verbs::add);
            if (!t.shortNames().isEmpty()) {
                ArrayNode sn = r.putArray("shortNames");
                t.shortNames().forEach(sn::add);
            }
            if (!t.categories().isEmpty()) {
                ArrayNode c = r.putArray("categories");
                t.categories().forEach(c::add);
            }
            r.put("storageVersionHash", Integer.toHexString(t.storage().hashCode()));
            for (String sub : t.subresources().stream().sorted().toList()) {
                ObjectNode s = rs.addObject();
                s.put("name", t.resource() + "/" + sub);
                s.put("singularName", "");
                s.put("namespaced", t.namespaced());
                ArrayNode sv = s.putArray("verbs");
                switch (sub) {
                    case "scale" -> {
                        s.put("group", "autoscaling");
                        s.put("version", "v1");
                        s.put("kind", "Scale");
                        List.of("get", "patch", "update").forEach(sv::add);
                    }
                    case "status" -> {
                        s.put("kind", t.kind());
                        List.of("get", "patch", "update").forEach(sv::add);
                    }
                    case "binding" -> {
                        s.put("kind", "Binding");
                        sv.add("create");
                    }
                    case "eviction" -> {
                        s.put("group", "policy");
                        s.put("version", "v1");
                        s.put("kind", "Eviction");
                        sv.add("create");
                    }
                    case "log" -> {
                        s.put("kind", "Pod");
                        sv.add("get");
                    }
                    case "exec", "attach", "portforward" -> {
                        s.put("kind", sub.equals("portforward") ? "PodPortForwardOptions"
                                : sub.equals("exec") ? "PodExecOptions" : "PodAttachOptions");
                        List.of("create", "get").forEach(sv::add);
                    }
                    case "proxy" -> {
                        s.put("kind", "NodeProxyOptions");
                        List.of("create", "delete", "get", "patch", "update").forEach(sv::add);
                    }
                    case "token" -> {
                        s.put("group", "authentication.k8s.io");
                        s.put("version", "v1");
                        s.put("kind", "TokenRequest");
                        sv.add("create");
                    }
                    case "approval" -> {
                        s.put("kind", t.kind());
                        List.of("get", "patch", "update").forEach(sv::add);
                    }
                    case "finalize" -> {
                        s.put("kind", t.kind());
                        sv.add("update");
                    }
                    case "ephemeralcontainers" -> {
                        s.put("kind", t.kind());
                        List.of("get", "patch", "update").forEach(sv::add);
                    }
                    default -> s.put("kind", t.kind());
                }
            }
        }
        return Json.bytes(list);
    }
}
