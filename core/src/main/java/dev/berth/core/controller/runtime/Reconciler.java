package dev.berth.core.controller.runtime;

/**
 * Brings the world in line with the desired state of one key. Level-triggered: it reads the
 * current state afresh each time and must be idempotent. A thrown exception requeues the key
 * with backoff.
 */
@FunctionalInterface
public interface Reconciler<K> {
    Result reconcile(K key) throws Exception;
}
