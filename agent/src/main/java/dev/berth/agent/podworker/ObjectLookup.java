package dev.berth.agent.podworker;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Reads the ConfigMaps and Secrets that containers' env and imagePullSecrets name; null when absent. */
interface ObjectLookup {
    ConfigMap configMap(String namespace, String name);

    Secret secret(String namespace, String name);

    /** The Services of a namespace (for the service links in containers' environment). */
    default java.util.List<io.fabric8.kubernetes.api.model.Service> services(String namespace) {
        return java.util.List.of();
    }

    static ObjectLookup of(KubernetesClient client) {
        if (client == null) {
            return new ObjectLookup() {
                @Override
                public ConfigMap configMap(String namespace, String name) {
                    throw new IllegalStateException("cannot read configmap " + namespace + "/" + name
                            + ": the agent has no API client");
                }

                @Override
                public Secret secret(String namespace, String name) {
                    throw new IllegalStateException("cannot read secret " + namespace + "/" + name
                            + ": the agent has no API client");
                }
            };
        }
        return new Cached((ns, name) -> client.configMaps().inNamespace(ns).withName(name).get(),
                (ns, name) -> client.secrets().inNamespace(ns).withName(name).get(),
                ns -> client.services().inNamespace(ns).list().getItems());
    }

    /**
     * Reads through the API, remembering the last answer of each object: when the control plane
     * cannot be reached, containers restart with what was read before, as kubelet's caches allow.
     */
    final class Cached implements ObjectLookup {
        private final java.util.function.BiFunction<String, String, ConfigMap> configMaps;
        private final java.util.function.BiFunction<String, String, Secret> secrets;
        private final java.util.function.Function<String, java.util.List<io.fabric8.kubernetes.api.model.Service>> services;
        private final java.util.Map<String, java.util.List<io.fabric8.kubernetes.api.model.Service>> lastServices =
                new java.util.concurrent.ConcurrentHashMap<>();
        private final java.util.Map<String, java.util.Optional<? extends io.fabric8.kubernetes.api.model.HasMetadata>> last =
                new java.util.concurrent.ConcurrentHashMap<>();

        Cached(java.util.function.BiFunction<String, String, ConfigMap> configMaps,
               java.util.function.BiFunction<String, String, Secret> secrets) {
            this(configMaps, secrets, ns -> java.util.List.of());
        }

        Cached(java.util.function.BiFunction<String, String, ConfigMap> configMaps,
               java.util.function.BiFunction<String, String, Secret> secrets,
               java.util.function.Function<String, java.util.List<io.fabric8.kubernetes.api.model.Service>> services) {
            this.configMaps = configMaps;
            this.secrets = secrets;
            this.services = services;
        }

        @Override
        public java.util.List<io.fabric8.kubernetes.api.model.Service> services(String namespace) {
            try {
                java.util.List<io.fabric8.kubernetes.api.model.Service> list = java.util.List.copyOf(services.apply(namespace));
                lastServices.put(namespace, list);
                return list;
            } catch (RuntimeException e) {
                java.util.List<io.fabric8.kubernetes.api.model.Service> cached = lastServices.get(namespace);
                if (cached != null) {
                    return cached;
                }
                throw new IllegalStateException("services have not yet been read at least once, cannot construct envvars: "
                        + e.getMessage(), e);
            }
        }

        @Override
        public ConfigMap configMap(String namespace, String name) {
            return read("configmap/" + namespace + "/" + name,
                    () -> configMaps.apply(namespace, name));
        }

        @Override
        public Secret secret(String namespace, String name) {
            return read("secret/" + namespace + "/" + name,
                    () -> secrets.apply(namespace, name));
        }

        @SuppressWarnings("unchecked")
        private <T extends io.fabric8.kubernetes.api.model.HasMetadata> T read(String key, java.util.function.Supplier<T> get) {
            try {
                T value = get.get();
                last.put(key, java.util.Optional.ofNullable(value));
                return value;
            } catch (RuntimeException e) {
                java.util.Optional<? extends io.fabric8.kubernetes.api.model.HasMetadata> cached = last.get(key);
                if (cached != null) {
                    return (T) cached.orElse(null);
                }
                throw e;
            }
        }
    }
}
