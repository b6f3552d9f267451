package dev.berth.core.store;

import java.util.List;
import java.util.Optional;

/**
 * The durable key-value store behind the API server: every write gets the next value of one
 * global revision counter, writes can be conditional on a key's modRevision, and changes can be
 * watched from any revision still in the retained history.
 *
 * <p>Contract (checked by the store contract tests against every implementation):
 * <ul>
 *   <li>A write returns only once it is durable (fsync'd; concurrent writes may share a commit).</li>
 *   <li>Revisions are strictly increasing across all keys; every write advances it by one.</li>
 *   <li>A get or list issued after a write returned sees that write.</li>
 *   <li>Watchers get every change after the requested revision exactly once, in order.</li>
 * </ul>
 * Implementations are thread-safe.
 */
public interface Store extends AutoCloseable {

    /** The revision of the latest committed write (0 for an empty store). */
    long currentRevision();

    Optional<StoredValue> get(String key);

    /** All keys starting with {@code prefix}, in key order, with the revision they were read at. */
    ListResult list(String prefix);

    /** Creates {@code key}; throws {@link StoreException.KeyExists} if present. */
    StoredValue create(String key, byte[] value);

    /**
     * Replaces {@code key}'s value if its modRevision equals {@code expectedModRevision}
     * (0 = unconditional). Throws {@link StoreException.KeyNotFound} or {@link StoreException.Conflict}.
     */
    StoredValue update(String key, byte[] value, long expectedModRevision);

    /**
     * Deletes {@code key} if its modRevision equals {@code expectedModRevision} (0 = unconditional).
     * Returns the deleted value with {@code modRevision} set to the revision of the delete.
     */
    StoredValue delete(String key, long expectedModRevision);

    /**
     * Delivers every change to keys under {@code prefix} with revision &gt; {@code afterRevision}, then
     * live changes, in order, on one thread per watch. Throws {@link StoreException.Compacted} when
     * that history is gone.
     */
    Watch watch(String prefix, long afterRevision, WatchListener listener);

    /** Drops history at and below {@code revision}; later watches from there fail as compacted. */
    void compact(long revision);

    /** The revision up to which history is compacted (0 when none is). */
    long compactedRevision();

    @Override
    void close();

    record ListResult(List<StoredValue> items, long revision) {}

    interface WatchListener {
        void onEvent(StoreEvent event);

        /** The watch ended abnormally (store closed, connection lost); no more events follow. */
        default void onError(Throwable error) {}
    }

    interface Watch extends AutoCloseable {
        @Override
        void close();
    }
}
