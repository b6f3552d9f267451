package dev.berth.core.apiserver.cache;

/**
 * A change as the cache saw it.
 *
 * @param type     ADDED, MODIFIED or DELETED
 * @param object   the object after the change (for DELETED: the last state, stamped with the delete revision)
 * @param previous the object before the change, or null when it was added
 * @param revision the store revision of the change
 */
public record CacheEvent(Type type, CachedObject object, CachedObject previous, long revision) {
    public enum Type { ADDED, MODIFIED, DELETED }
}
