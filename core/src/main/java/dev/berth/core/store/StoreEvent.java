package dev.berth.core.store;

/**
 * One change, delivered to watchers in revision order.
 *
 * @param type      PUT (created or updated) or DELETE
 * @param key       the key changed
 * @param value     the new value (for DELETE: the value before deletion)
 * @param prevValue the value before this change; null when the key was created, and may be null
 *                  for events replayed from a store's history log (the log keeps only new values)
 * @param revision  the revision of this change; for DELETE, the revision of the delete
 * @param created   true when a PUT created the key
 */
public record StoreEvent(Type type, String key, byte[] value, byte[] prevValue, long revision, boolean created) {
    public enum Type { PUT, DELETE }
}
