package dev.berth.core.controller.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Work-queue keys in client-go's form: {@code namespace/name}, or {@code name} when cluster-scoped. */
public final class Keys {
    private Keys() {
    }

    public static String of(HasMetadata obj) {
        return of(obj.getMetadata().getNamespace(), obj.getMetadata().getName());
    }

    public static String of(String namespace, String name) {
        return namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
    }

    /** The namespace of a key, or "" when it has none. */
    public static String namespace(String key) {
        int slash = key.indexOf('/');
        return slash < 0 ? "" : key.substring(0, slash);
    }

    /** The name part of a key. */
    public static String name(String key) {
        int slash = key.indexOf('/');
        return slash < 0 ? key : key.substring(slash + 1);
    }
}
