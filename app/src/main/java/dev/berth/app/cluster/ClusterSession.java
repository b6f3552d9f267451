package dev.berth.app.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One open connection: its client and the caches of the kinds the views have asked for, each
 * started on first use and shared by every view (explorer, overview, details).
 */
public final class ClusterSession implements AutoCloseable {
    private final Connection connection;
    private final KubernetesClient client;
    private final Map<ResourceKind, ResourceCache> caches = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public ClusterSession(Connection connection, KubernetesClient client) {
        this.connection = connection;
        this.client = client;
    }

    public Connection connection() {
        return connection;
    }

    public KubernetesClient client() {
        return client;
    }

    /** The cache of {@code kind}, started now if no view has used it yet. */
    public ResourceCache cache(ResourceKind kind) {
        if (closed) {
            throw new IllegalStateException("the connection to " + connection.label() + " is closed");
        }
        return caches.computeIfAbsent(kind, k -> new ResourceCache(client, k));
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        caches.values().forEach(ResourceCache::close);
        caches.clear();
        client.close();
    }
}
