package dev.berth.agent.podworker;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Reads the ConfigMaps and Secrets that containers' env and imagePullSecrets name; null when absent. */
interface ObjectLookup {
    ConfigMap configMap(String namespace, String name);

    Secret secret(String namespace, String name);

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
        return new ObjectLookup() {
            @Override
            public ConfigMap configMap(String namespace, String name) {
                return client.configMaps().inNamespace(namespace).withName(name).get();
            }

            @Override
            public Secret secret(String namespace, String name) {
                return client.secrets().inNamespace(namespace).withName(name).get();
            }
        };
    }
}
