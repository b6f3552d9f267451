package dev.berth.core.store;

/** A failed store operation. The subclasses are the conditions callers act on. */
public class StoreException extends RuntimeException {
    public StoreException(String message) { super(message); }
    public StoreException(String message, Throwable cause) { super(message, cause); }

    /** create() of a key that exists. */
    public static final class KeyExists extends StoreException {
        public KeyExists(String key) { super("key " + key + " already exists"); }
    }

    /** update()/delete() of a key that does not exist. */
    public static final class KeyNotFound extends StoreException {
        public KeyNotFound(String key) { super("key " + key + " not found"); }
    }

    /** update()/delete() whose expected modRevision is not the current one. */
    public static final class Conflict extends StoreException {
        private final long actualRevision;
        public Conflict(String key, long expected, long actual) {
            super("key " + key + " is at revision " + actual + ", not " + expected);
            this.actualRevision = actual;
        }
        public long actualRevision() { return actualRevision; }
    }

    /** watch() from a revision older than the retained history. */
    public static final class Compacted extends StoreException {
        private final long compactRevision;
        public Compacted(long requested, long compactRevision) {
            super("revision " + requested + " is compacted; history starts after " + compactRevision);
            this.compactRevision = compactRevision;
        }
        public long compactRevision() { return compactRevision; }
    }
}
