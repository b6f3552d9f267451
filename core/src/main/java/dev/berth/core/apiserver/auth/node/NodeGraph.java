package dev.berth.core.apiserver.auth.node;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.api.Json;
import dev.berth.core.apiserver.cache.CacheEvent;
import dev.berth.core.apiserver.cache.ObjectCache;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which objects each node may read, as Kubernetes' Node authorizer graph: a pod bound to a node
 * links the node to the Secrets, ConfigMaps, PersistentVolumeClaims and ServiceAccount the pod
 * uses; a bound claim links on to its PersistentVolume. Kept from the API server's watch cache of
 * pods and claims.
 */
public final class NodeGraph {
    /** What a pod on a node uses: {@code secrets/ns/name}, {@code configmaps/ns/name} ... */
    private record PodRefs(String node, Set<String> refs) {}

    private final Map<String, PodRefs> pods = new HashMap<>();
    /** node → ref → how many of its pods use it. */
    private final Map<String, Map<String, Integer>> byNode = new HashMap<>();
    /** PersistentVolume name → claims ({@code ns/name}) bound to it. */
    private final Map<String, Set<String>> claimsByVolume = new ConcurrentHashMap<>();
    private final Map<String, String> volumeByClaim = new HashMap<>();

    public void follow(ObjectCache cache) {
        cache.resource("core/pods").subscribe(this::onPod);
        cache.resource("core/persistentvolumeclaims").subscribe(this::onClaim);
    }

    private synchronized void onPod(CacheEvent e) {
        String key = e.object().namespace() + "/" + e.object().name();
        PodRefs old = pods.remove(key);
        if (old != null) {
            Map<String, Integer> m = byNode.get(old.node());
            for (String r : old.refs()) {
                m.computeIfPresent(r, (k, n) -> n <= 1 ? null : n - 1);
            }
            if (m.isEmpty()) {
                byNode.remove(old.node());
            }
        }
        if (e.type() == CacheEvent.Type.DELETED) {
            return;
        }
        JsonNode pod = Json.parse(e.object().json());
        String node = pod.path("spec").path("nodeName").asText("");
        if (node.isEmpty()) {
            return;
        }
        PodRefs refs = new PodRefs(node, references(e.object().namespace(), e.object().name(), pod));
        pods.put(key, refs);
        Map<String, Integer> m = byNode.computeIfAbsent(node, k -> new HashMap<>());
        for (String r : refs.refs()) {
            m.merge(r, 1, Integer::sum);
        }
    }

    private synchronized void onClaim(CacheEvent e) {
        String key = e.object().namespace() + "/" + e.object().name();
        String old = volumeByClaim.remove(key);
        if (old != null) {
            Set<String> s = claimsByVolume.get(old);
            if (s != null) {
                s.remove(key);
                if (s.isEmpty()) claimsByVolume.remove(old);
            }
        }
        if (e.type() == CacheEvent.Type.DELETED) {
            return;
        }
        String volume = Json.parse(e.object().json()).path("spec").path("volumeName").asText("");
        if (!volume.isEmpty()) {
            volumeByClaim.put(key, volume);
            claimsByVolume.computeIfAbsent(volume, k -> ConcurrentHashMap.newKeySet()).add(key);
        }
    }

    /** Every object a pod uses, as {@code resource/namespace/name}. */
    static Set<String> references(String ns, String podName, JsonNode pod) {
        Set<String> refs = new HashSet<>();
        JsonNode spec = pod.path("spec");
        String sa = spec.path("serviceAccountName").asText("");
        refs.add("serviceaccounts/" + ns + "/" + (sa.isEmpty() ? "default" : sa));
        for (JsonNode s : spec.path("imagePullSecrets")) {
            add(refs, "secrets", ns, s.path("name"));
        }
        for (JsonNode v : spec.path("volumes")) {
            add(refs, "secrets", ns, v.path("secret").path("secretName"));
            add(refs, "configmaps", ns, v.path("configMap").path("name"));
            add(refs, "persistentvolumeclaims", ns, v.path("persistentVolumeClaim").path("claimName"));
            if (v.has("ephemeral")) {
                refs.add("persistentvolumeclaims/" + ns + "/" + podName + "-" + v.path("name").asText());
            }
            for (JsonNode src : v.path("projected").path("sources")) {
                add(refs, "secrets", ns, src.path("secret").path("name"));
                add(refs, "configmaps", ns, src.path("configMap").path("name"));
            }
            for (String driver : new String[]{"cephfs", "rbd", "iscsi", "azureFile", "flexVolume", "csi", "scaleIO", "storageos"}) {
                add(refs, "secrets", ns, v.path(driver).path("secretRef").path("name"));
                add(refs, "secrets", ns, v.path(driver).path("nodePublishSecretRef").path("name"));
            }
        }
        for (String list : new String[]{"initContainers", "containers", "ephemeralContainers"}) {
            for (JsonNode c : spec.path(list)) {
                for (JsonNode env : c.path("env")) {
                    add(refs, "secrets", ns, env.path("valueFrom").path("secretKeyRef").path("name"));
                    add(refs, "configmaps", ns, env.path("valueFrom").path("configMapKeyRef").path("name"));
                }
                for (JsonNode from : c.path("envFrom")) {
                    add(refs, "secrets", ns, from.path("secretRef").path("name"));
                    add(refs, "configmaps", ns, from.path("configMapRef").path("name"));
                }
            }
        }
        return refs;
    }

    private static void add(Set<String> refs, String resource, String ns, JsonNode name) {
        String n = name.asText("");
        if (!n.isEmpty()) {
            refs.add(resource + "/" + ns + "/" + n);
        }
    }

    /** True when a pod bound to {@code node} uses the object. */
    public synchronized boolean uses(String node, String resource, String namespace, String name) {
        Map<String, Integer> m = byNode.get(node);
        return m != null && m.containsKey(resource + "/" + namespace + "/" + name);
    }

    /** True when a claim used by a pod on {@code node} is bound to the PersistentVolume. */
    public synchronized boolean usesVolume(String node, String volume) {
        Set<String> claims = claimsByVolume.get(volume);
        if (claims == null) {
            return false;
        }
        for (String c : claims) {
            int slash = c.indexOf('/');
            if (uses(node, "persistentvolumeclaims", c.substring(0, slash), c.substring(slash + 1))) {
                return true;
            }
        }
        return false;
    }

    /** The node a pod is bound to, or null. */
    public synchronized String nodeOf(String namespace, String pod) {
        PodRefs r = pods.get(namespace + "/" + pod);
        return r == null ? null : r.node();
    }
}
