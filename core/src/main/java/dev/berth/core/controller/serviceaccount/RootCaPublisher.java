package dev.berth.core.controller.serviceaccount;

import dev.berth.core.controller.runtime.Component;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.controller.runtime.Keys;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.net.HttpURLConnection;
import java.util.Map;
import java.util.Objects;

/**
 * The root-ca-cert-publisher: the kube-root-ca.crt ConfigMap in every active namespace holds the
 * cluster CA certificate under {@code ca.crt}, so pods can verify the API server. Created when a
 * namespace appears, recreated when deleted, and its data put back when changed. Keys are
 * namespace names.
 */
public final class RootCaPublisher implements Reconciler<String> {
    public static final String NAME = "root-ca-cert-publisher";
    public static final String CONFIG_MAP = "kube-root-ca.crt";
    public static final String KEY = "ca.crt";
    public static final String DESCRIPTION_ANNOTATION = "kubernetes.io/description";
    /** Kubernetes' own description of the ConfigMap. */
    public static final String DESCRIPTION = "Contains a CA bundle that can be used to verify the kube-apiserver "
            + "when using internal endpoints such as the internal service IP or kubernetes.default.svc. "
            + "No other usage is guaranteed across distributions of Kubernetes clusters.";

    private final KubernetesClient client;
    private final Informers informers;
    private final Map<String, String> data;

    public RootCaPublisher(KubernetesClient client, Informers informers, String caPem) {
        Objects.requireNonNull(caPem, "caPem");
        if (!caPem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException("caPem: must be a PEM certificate (no BEGIN CERTIFICATE line found)");
        }
        this.client = client;
        this.informers = informers;
        this.data = Map.of(KEY, caPem);
    }

    /** The publisher's control loop, keyed by namespace. */
    public static Component create(ControllerContext context, String caPem) {
        return new NamespaceScopedLoop<>(NAME, context, new RootCaPublisher(context.client(), context.informers(), caPem),
                1, ConfigMap.class, cm -> CONFIG_MAP.equals(cm.getMetadata().getName()));
    }

    @Override
    public Result reconcile(String namespace) {
        Namespace ns = informers.get(Namespace.class, namespace);
        if (!NamespaceScopedLoop.active(ns)) {
            return Result.done();
        }
        ConfigMap cached = informers.get(ConfigMap.class, Keys.of(namespace, CONFIG_MAP));
        try {
            if (cached == null) {
                client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
                        .withNewMetadata().withNamespace(namespace).withName(CONFIG_MAP)
                        .addToAnnotations(DESCRIPTION_ANNOTATION, DESCRIPTION).endMetadata()
                        .withData(data).build()).create();
            } else if (!data.equals(cached.getData())
                    || !DESCRIPTION.equals(annotation(cached))) {
                client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder(cached)
                        .editMetadata().addToAnnotations(DESCRIPTION_ANNOTATION, DESCRIPTION).endMetadata()
                        .withData(data).withBinaryData(null).build()).update();
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT || e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                return Result.requeue();   // the cache was behind: look again
            }
            if (e.getCode() != HttpURLConnection.HTTP_FORBIDDEN) {   // terminating namespace
                throw e;
            }
        }
        return Result.done();
    }

    private static String annotation(ConfigMap cm) {
        Map<String, String> a = cm.getMetadata().getAnnotations();
        return a == null ? null : a.get(DESCRIPTION_ANNOTATION);
    }
}
