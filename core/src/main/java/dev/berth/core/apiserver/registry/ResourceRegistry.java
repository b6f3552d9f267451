package dev.berth.core.apiserver.registry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The resources served, by group/version/resource. Built-ins are fixed; custom resources are
 * added and removed as CustomResourceDefinitions come and go. Listeners learn of changes so that
 * discovery and OpenAPI documents are rebuilt.
 */
public final class ResourceRegistry {
    private volatile Map<String, ResourceType> byGvr = Map.of();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    public ResourceRegistry(Collection<ResourceType> builtins) {
        Map<String, ResourceType> m = new LinkedHashMap<>();
        for (ResourceType t : builtins) {
            m.put(gvr(t.group(), t.version(), t.resource()), t);
        }
        byGvr = Map.copyOf(m);
        this.order = List.copyOf(builtins);
    }

    private volatile List<ResourceType> order;

    public static ResourceRegistry builtin() {
        return new ResourceRegistry(BuiltinResources.all());
    }

    private static String gvr(String g, String v, String r) {
        return g + "/" + v + "/" + r;
    }

    public Optional<ResourceType> find(String group, String version, String resource) {
        return Optional.ofNullable(byGvr.get(gvr(group, version, resource)));
    }

    /** Every served resource in a stable order (built-ins first, then custom ones). */
    public List<ResourceType> all() {
        return order;
    }

    /** The distinct stored resources (one per storage location): what the watch cache holds. */
    public List<ResourceType> storageTypes() {
        Map<String, ResourceType> m = new LinkedHashMap<>();
        for (ResourceType t : order) {
            m.putIfAbsent(t.storage(), t);
        }
        return List.copyOf(m.values());
    }

    /** Resource types stored at {@code storage}, e.g. both autoscaling versions of HPAs. */
    public List<ResourceType> byStorage(String storage) {
        return order.stream().filter(t -> t.storage().equals(storage)).toList();
    }

    /** Adds or replaces the given custom resources (keyed by storage) atomically. */
    public synchronized void replaceCustom(String storage, List<ResourceType> types) {
        List<ResourceType> next = new ArrayList<>();
        for (ResourceType t : order) {
            if (!t.storage().equals(storage)) {
                next.add(t);
            }
        }
        next.addAll(types);
        Map<String, ResourceType> m = new LinkedHashMap<>();
        for (ResourceType t : next) {
            m.put(gvr(t.group(), t.version(), t.resource()), t);
        }
        order = List.copyOf(next);
        byGvr = Map.copyOf(m);
        listeners.forEach(Runnable::run);
    }

    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    /** Preferred version of each group, in discovery order. */
    public Map<String, List<String>> groupVersions() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (ResourceType t : order) {
            List<String> vs = m.computeIfAbsent(t.group(), g -> new ArrayList<>());
            if (!vs.contains(t.version())) {
                vs.add(t.version());
            }
        }
        return m;
    }
}
