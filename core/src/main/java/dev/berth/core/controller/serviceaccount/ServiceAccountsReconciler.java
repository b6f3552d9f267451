package dev.berth.core.controller.serviceaccount;

import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.controller.runtime.Keys;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.HttpURLConnection;
import java.util.List;

/**
 * Makes sure every active namespace has the ServiceAccounts every namespace gets ("default"),
 * creating them when a namespace appears and again when one is deleted. Existing accounts are
 * never changed. Keys are namespace names.
 */
public final class ServiceAccountsReconciler implements Reconciler<String> {
    public static final String DEFAULT = "default";
    private static final Logger log = LoggerFactory.getLogger(ServiceAccountsReconciler.class);

    private final KubernetesClient client;
    private final Informers informers;
    private final List<String> names;

    public ServiceAccountsReconciler(KubernetesClient client, Informers informers, List<String> names) {
        this.client = client;
        this.informers = informers;
        this.names = List.copyOf(names);
    }

    @Override
    public Result reconcile(String namespace) {
        Namespace ns = informers.get(Namespace.class, namespace);
        if (!NamespaceScopedLoop.active(ns)) {
            return Result.done();
        }
        for (String name : names) {
            if (informers.get(ServiceAccount.class, Keys.of(namespace, name)) != null) {
                continue;
            }
            try {
                client.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder()
                        .withNewMetadata().withNamespace(namespace).withName(name).endMetadata().build()).create();
                log.info("created ServiceAccount {}/{}", namespace, name);
            } catch (KubernetesClientException e) {
                // AlreadyExists: the cache was behind; Forbidden: the namespace started terminating
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT && e.getCode() != HttpURLConnection.HTTP_FORBIDDEN) {
                    throw e;
                }
            }
        }
        return Result.done();
    }
}
