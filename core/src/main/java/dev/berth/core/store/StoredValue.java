package dev.berth.core.store;

/**
 * A value as the store holds it.
 *
 * @param key            the full key, for example {@code /apps/deployments/default/web}
 * @param value          the stored bytes (opaque to the store)
 * @param createRevision the revision of the write that created the key
 * @param modRevision    the revision of the last write to the key
 */
public record StoredValue(String key, byte[] value, long createRevision, long modRevision) {}
