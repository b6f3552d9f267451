package dev.berth.core.store.sqlite;

import dev.berth.core.store.Store;
import dev.berth.core.store.StoreEvent;
import dev.berth.core.store.StoreException;
import dev.berth.core.store.StoredValue;
import dev.berth.core.store.internal.WatchDelivery;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store: one SQLite file in WAL mode with {@code synchronous=FULL}.
 *
 * <p>Writes go through one writer thread that drains a queue of pending operations, applies them
 * in one transaction and commits once (group commit): with N concurrent callers one fsync serves
 * up to N writes. Callers' futures complete only after the commit returned, so a write that
 * returned is durable.
 *
 * <p>Reads go to the database through a small pool of read connections rather than an in-memory
 * index: WAL readers see every committed transaction and never block the writer, memory stays
 * independent of the data size, and reopening costs no loading pass (restart time does not grow
 * with the number of objects).
 *
 * <p>A lock file ({@code <db>.lock}) keeps a second process from opening the same database.
 */
public final class SqliteStore implements Store {
    private static final Logger log = LoggerFactory.getLogger(SqliteStore.class);
    private static final AtomicInteger WATCH_IDS = new AtomicInteger();
    private static final int REPLAY_PAGE = 256;

    private final Path file;
    private final SqliteStoreConfig config;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Connection writer;
    private final BlockingQueue<Connection> readers;
    private final List<Connection> allReaders = new ArrayList<>();
    private final LinkedBlockingQueue<Op> pending = new LinkedBlockingQueue<>();
    private final Thread writerThread;
    private final Thread compactionThread;
    private final Object watchLock = new Object();
    private final List<WatchDelivery> watches = new CopyOnWriteArrayList<>();
    private volatile long revision;
    private volatile long compacted;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicLong commits = new java.util.concurrent.atomic.AtomicLong();

    // Writer-thread-only statements.
    private final PreparedStatement selectRow;
    private final PreparedStatement insertRow;
    private final PreparedStatement updateRow;
    private final PreparedStatement deleteRow;
    private final PreparedStatement insertHistory;
    private final PreparedStatement updateMeta;
    private final PreparedStatement deleteHistory;

    private SqliteStore(Path file, SqliteStoreConfig config) {
        this.file = file;
        this.config = config;
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        FileChannel channel = null;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock acquired;
            try {
                acquired = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                acquired = null;
            }
            if (acquired == null) {
                throw new StoreException("store " + file + " is in use by another process (lock " + lockFile + " is held)");
            }
            this.lockChannel = channel;
            this.lock = acquired;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StoreException("cannot lock store " + file + " through " + lockFile, e);
        } catch (StoreException e) {
            closeQuietly(channel);
            throw e;
        }
        try {
            this.writer = connect(false);
            SqliteSchema.migrate(writer, file);
            writer.setAutoCommit(false);
            this.revision = readMeta(writer, "revision");
            this.compacted = readMeta(writer, "compacted");
            writer.commit();
            selectRow = writer.prepareStatement("SELECT value, create_rev, mod_rev FROM kv WHERE key = ?");
            insertRow = writer.prepareStatement("INSERT INTO kv(key, value, create_rev, mod_rev) VALUES (?, ?, ?, ?)");
            updateRow = writer.prepareStatement("UPDATE kv SET value = ?, mod_rev = ? WHERE key = ?");
            deleteRow = writer.prepareStatement("DELETE FROM kv WHERE key = ?");
            insertHistory = writer.prepareStatement(
                    "INSERT INTO history(rev, key, type, created, value, ts) VALUES (?, ?, ?, ?, ?, ?)");
            updateMeta = writer.prepareStatement("UPDATE meta SET v = ? WHERE k = ?");
            deleteHistory = writer.prepareStatement("DELETE FROM history WHERE rev <= ?");
            readers = new ArrayBlockingQueue<>(config.readers());
            for (int i = 0; i < config.readers(); i++) {
                Connection reader = connect(true);
                reader.setAutoCommit(false);
                allReaders.add(reader);
                readers.add(reader);
            }
        } catch (SQLException e) {
            releaseOnFailure();
            throw new StoreException("cannot open store " + file, e);
        } catch (RuntimeException e) {
            releaseOnFailure();
            throw e;
        }
        writerThread = Thread.ofPlatform().name("sqlite-store-writer").daemon(true).start(this::writeLoop);
        compactionThread = config.compactionInterval().isPositive()
                ? Thread.ofVirtual().name("sqlite-store-compaction").start(this::compactionLoop)
                : null;
    }

    public static SqliteStore open(Path file) {
        return open(file, SqliteStoreConfig.defaults());
    }

    public static SqliteStore open(Path file, SqliteStoreConfig config) {
        return new SqliteStore(file, config);
    }

    public Path file() { return file; }

    /** Transactions committed since open; with the revision, shows how many writes share a commit. */
    public long commitCount() { return commits.get(); }

    private Connection connect(boolean readOnly) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("journal_mode", "WAL");
        properties.setProperty("synchronous", "FULL");
        properties.setProperty("busy_timeout", "10000");
        properties.setProperty("foreign_keys", "false");
        Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file, properties);
        if (readOnly) {
            // sqlite-jdbc has no connection property for it; a stray write on a reader would
            // bypass the revision counter, so refuse writes there outright.
            try (Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA query_only = 1");
            }
        }
        return connection;
    }

    // ---- reads ----

    @Override
    public long currentRevision() { return revision; }

    @Override
    public long compactedRevision() { return compacted; }

    @Override
    public Optional<StoredValue> get(String key) {
        return read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT value, create_rev, mod_rev FROM kv WHERE key = ?")) {
                statement.setString(1, key);
                try (ResultSet row = statement.executeQuery()) {
                    if (!row.next()) return Optional.empty();
                    return Optional.of(new StoredValue(key, row.getBytes(1), row.getLong(2), row.getLong(3)));
                }
            }
        }, "get " + key);
    }

    @Override
    public ListResult list(String prefix) {
        KeyRange range = KeyRange.of(prefix);
        return read(connection -> {
            // One read transaction: the revision and the rows come from the same snapshot.
            long at = readMeta(connection, "revision");
            List<StoredValue> items = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT key, value, create_rev, mod_rev FROM kv WHERE " + range.where("key") + " ORDER BY key")) {
                range.bind(statement, 1);
                try (ResultSet row = statement.executeQuery()) {
                    while (row.next()) {
                        items.add(new StoredValue(row.getString(1), row.getBytes(2), row.getLong(3), row.getLong(4)));
                    }
                }
            }
            return new ListResult(List.copyOf(items), at);
        }, "list " + prefix);
    }

    private interface Read<T> {
        T apply(Connection connection) throws SQLException;
    }

    private <T> T read(Read<T> read, String what) {
        ensureOpen();
        Connection connection;
        try {
            connection = readers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(what + " interrupted");
        }
        try {
            T result = read.apply(connection);
            connection.commit();
            return result;
        } catch (SQLException e) {
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // the connection reports the original failure below
            }
            throw new StoreException(what + " failed in " + file, e);
        } finally {
            readers.add(connection);
        }
    }

    private static long readMeta(Connection connection, String key) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT v FROM meta WHERE k = ?")) {
            statement.setString(1, key);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) throw new StoreException("meta table has no " + key + " row");
                return row.getLong(1);
            }
        }
    }

    // ---- writes ----

    private enum Kind { CREATE, UPDATE, DELETE }

    private sealed interface Op permits Write, Compact {}

    private record Write(Kind kind, String key, byte[] value, long expected, CompletableFuture<StoredValue> result)
            implements Op {}

    private record Compact(long revision, CompletableFuture<Long> result) implements Op {}

    @Override
    public StoredValue create(String key, byte[] value) {
        return submit(new Write(Kind.CREATE, key, value, 0, new CompletableFuture<>()));
    }

    @Override
    public StoredValue update(String key, byte[] value, long expectedModRevision) {
        return submit(new Write(Kind.UPDATE, key, value, expectedModRevision, new CompletableFuture<>()));
    }

    @Override
    public StoredValue delete(String key, long expectedModRevision) {
        return submit(new Write(Kind.DELETE, key, null, expectedModRevision, new CompletableFuture<>()));
    }

    private StoredValue submit(Write write) {
        ensureOpen();
        pending.add(write);
        if (closed) failPending();
        return await(write.result());
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof StoreException storeException) throw storeException;
            throw new StoreException("store operation failed", e.getCause());
        }
    }

    @Override
    public void compact(long revision) {
        ensureOpen();
        Compact compact = new Compact(revision, new CompletableFuture<>());
        pending.add(compact);
        if (closed) failPending();
        await(compact.result());
    }

    /**
     * Applies the retention policy once: keeps at least {@code retainRevisions} revisions and at
     * least {@code retainHistory} of history, compacts everything older. Returns the compacted
     * revision afterwards.
     */
    public long compactByPolicy() {
        long byCount = revision - config.retainRevisions();
        if (byCount <= compacted) return compacted;
        long cutoff = config.clock().millis() - config.retainHistory().toMillis();
        long target = read(connection -> {
            // rev and ts grow together, so the newest old-enough revision bounds the compaction.
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT max(rev) FROM history WHERE rev > ? AND rev <= ? AND ts < ?")) {
                statement.setLong(1, compacted);
                statement.setLong(2, byCount);
                statement.setLong(3, cutoff);
                try (ResultSet row = statement.executeQuery()) {
                    row.next();
                    return row.getLong(1);
                }
            }
        }, "compaction policy");
        if (target > compacted) compact(target);
        return compacted;
    }

    private void compactionLoop() {
        long intervalMillis = config.compactionInterval().toMillis();
        while (!closed) {
            try {
                Thread.sleep(intervalMillis);
                if (!closed) compactByPolicy();
            } catch (InterruptedException e) {
                return;
            } catch (StoreException e) {
                if (!closed) log.warn("automatic compaction of {} failed", file, e);
            }
        }
    }

    private void writeLoop() {
        List<Op> batch = new ArrayList<>();
        while (true) {
            try {
                batch.add(pending.take());
            } catch (InterruptedException e) {
                break;
            }
            pending.drainTo(batch, config.maxBatch() - 1);
            applyBatch(batch);
            batch.clear();
            if (closed && pending.isEmpty()) break;
        }
        failPending();
    }

    private record Outcome(Op op, Object result, StoreEvent event) {}

    private void applyBatch(List<Op> batch) {
        long next = revision;
        long newCompacted = compacted;
        List<Outcome> outcomes = new ArrayList<>(batch.size());
        long now = config.clock().millis();
        try {
            for (Op op : batch) {
                switch (op) {
                    case Write write -> {
                        Outcome outcome = applyWrite(write, next + 1, now);
                        if (outcome.event() != null) next++;
                        outcomes.add(outcome);
                    }
                    case Compact compact -> {
                        if (compact.revision() > next) {
                            outcomes.add(new Outcome(op, new StoreException("cannot compact to revision "
                                    + compact.revision() + ": the current revision is " + next), null));
                        } else {
                            if (compact.revision() > newCompacted) {
                                deleteHistory.setLong(1, compact.revision());
                                deleteHistory.executeUpdate();
                                newCompacted = compact.revision();
                            }
                            outcomes.add(new Outcome(op, newCompacted, null));
                        }
                    }
                }
            }
            if (next != revision) setMeta("revision", next);
            if (newCompacted != compacted) setMeta("compacted", newCompacted);
            writer.commit();
            commits.incrementAndGet();
        } catch (SQLException | RuntimeException e) {
            try {
                writer.rollback();
            } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            StoreException failure = new StoreException(
                    "commit of " + batch.size() + " operations to " + file + " failed; none was applied", e);
            for (Op op : batch) fail(op, failure);
            return;
        }
        revision = next;
        compacted = newCompacted;
        for (Outcome outcome : outcomes) complete(outcome);
        dispatch(outcomes);
    }

    private Outcome applyWrite(Write write, long rev, long now) throws SQLException {
        StoredValue current = null;
        selectRow.setString(1, write.key());
        try (ResultSet row = selectRow.executeQuery()) {
            if (row.next()) current = new StoredValue(write.key(), row.getBytes(1), row.getLong(2), row.getLong(3));
        }
        if (write.kind() == Kind.CREATE) {
            if (current != null) return new Outcome(write, new StoreException.KeyExists(write.key()), null);
            insertRow.setString(1, write.key());
            insertRow.setBytes(2, write.value());
            insertRow.setLong(3, rev);
            insertRow.setLong(4, rev);
            insertRow.executeUpdate();
            appendHistory(rev, write.key(), StoreEvent.Type.PUT, true, write.value(), now);
            return new Outcome(write, new StoredValue(write.key(), write.value(), rev, rev),
                    new StoreEvent(StoreEvent.Type.PUT, write.key(), write.value(), null, rev, true));
        }
        if (current == null) return new Outcome(write, new StoreException.KeyNotFound(write.key()), null);
        if (write.expected() != 0 && write.expected() != current.modRevision()) {
            return new Outcome(write, new StoreException.Conflict(write.key(), write.expected(), current.modRevision()), null);
        }
        if (write.kind() == Kind.UPDATE) {
            updateRow.setBytes(1, write.value());
            updateRow.setLong(2, rev);
            updateRow.setString(3, write.key());
            updateRow.executeUpdate();
            appendHistory(rev, write.key(), StoreEvent.Type.PUT, false, write.value(), now);
            return new Outcome(write, new StoredValue(write.key(), write.value(), current.createRevision(), rev),
                    new StoreEvent(StoreEvent.Type.PUT, write.key(), write.value(), current.value(), rev, false));
        }
        deleteRow.setString(1, write.key());
        deleteRow.executeUpdate();
        appendHistory(rev, write.key(), StoreEvent.Type.DELETE, false, current.value(), now);
        return new Outcome(write, new StoredValue(write.key(), current.value(), current.createRevision(), rev),
                new StoreEvent(StoreEvent.Type.DELETE, write.key(), current.value(), current.value(), rev, false));
    }

    private void appendHistory(long rev, String key, StoreEvent.Type type, boolean created, byte[] value, long now)
            throws SQLException {
        insertHistory.setLong(1, rev);
        insertHistory.setString(2, key);
        insertHistory.setInt(3, type == StoreEvent.Type.PUT ? 0 : 1);
        insertHistory.setInt(4, created ? 1 : 0);
        insertHistory.setBytes(5, value);
        insertHistory.setLong(6, now);
        insertHistory.executeUpdate();
    }

    private void setMeta(String key, long value) throws SQLException {
        updateMeta.setLong(1, value);
        updateMeta.setString(2, key);
        updateMeta.executeUpdate();
    }

    @SuppressWarnings("unchecked")
    private static void complete(Outcome outcome) {
        CompletableFuture<Object> future = switch (outcome.op()) {
            case Write write -> (CompletableFuture<Object>) (CompletableFuture<?>) write.result();
            case Compact compact -> (CompletableFuture<Object>) (CompletableFuture<?>) compact.result();
        };
        if (outcome.result() instanceof Throwable error) future.completeExceptionally(error);
        else future.complete(outcome.result());
    }

    private static void fail(Op op, StoreException failure) {
        switch (op) {
            case Write write -> write.result().completeExceptionally(failure);
            case Compact compact -> compact.result().completeExceptionally(failure);
        }
    }

    private void failPending() {
        Op op;
        while ((op = pending.poll()) != null) fail(op, new StoreException("store " + file + " is closed"));
    }

    // ---- watch ----

    private void dispatch(List<Outcome> outcomes) {
        if (watches.isEmpty()) return;
        // Under the lock so a watch registering concurrently either sees these events in its
        // queue or finds them committed when it replays history; never neither.
        synchronized (watchLock) {
            for (Outcome outcome : outcomes) {
                StoreEvent event = outcome.event();
                if (event == null) continue;
                for (WatchDelivery watch : watches) {
                    if (event.key().startsWith(watch.prefix())) watch.offer(event);
                }
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Events replayed from the history log carry a null {@code prevValue}.
     */
    @Override
    public Watch watch(String prefix, long afterRevision, WatchListener listener) {
        ensureOpen();
        long compactedNow = compacted;
        if (afterRevision < compactedNow) throw new StoreException.Compacted(afterRevision, compactedNow);
        String name = "sqlite-watch-" + WATCH_IDS.incrementAndGet() + " " + prefix;
        WatchDelivery[] self = new WatchDelivery[1];
        WatchDelivery delivery = new WatchDelivery(name, prefix, afterRevision, listener, () -> watches.remove(self[0]));
        self[0] = delivery;
        synchronized (watchLock) {
            watches.add(delivery);
        }
        // Registered before reading history: whatever commits from here on is queued live, and
        // whatever committed before is in the log; WatchDelivery drops the overlap by revision.
        if (afterRevision < revision) delivery.start(d -> replay(d, prefix));
        else delivery.start(d -> {});
        return delivery;
    }

    private void replay(WatchDelivery delivery, String prefix) {
        KeyRange range = KeyRange.of(prefix);
        while (!delivery.isClosed()) {
            long after = delivery.lastDelivered();
            List<StoreEvent> page = read(connection -> {
                long compactedInSnapshot = readMeta(connection, "compacted");
                if (after < compactedInSnapshot) throw new StoreException.Compacted(after, compactedInSnapshot);
                List<StoreEvent> events = new ArrayList<>();
                try (PreparedStatement statement = connection.prepareStatement(
                        "SELECT rev, key, type, created, value FROM history WHERE rev > ? AND "
                                + range.where("key") + " ORDER BY rev LIMIT " + REPLAY_PAGE)) {
                    statement.setLong(1, after);
                    range.bind(statement, 2);
                    try (ResultSet row = statement.executeQuery()) {
                        while (row.next()) {
                            StoreEvent.Type type = row.getInt(3) == 0 ? StoreEvent.Type.PUT : StoreEvent.Type.DELETE;
                            events.add(new StoreEvent(type, row.getString(2), row.getBytes(5), null, row.getLong(1),
                                    row.getInt(4) == 1));
                        }
                    }
                }
                return events;
            }, "watch replay of " + prefix + " after revision " + after);
            for (StoreEvent event : page) delivery.deliver(event);
            if (page.size() < REPLAY_PAGE) return;
        }
    }

    // ---- lifecycle ----

    private void ensureOpen() {
        if (closed) throw new StoreException("store " + file + " is closed");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (compactionThread != null) compactionThread.interrupt();
        // Wake the writer so it finishes what is queued, then exits.
        pending.add(new Compact(0, new CompletableFuture<>()));
        try {
            writerThread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        StoreException closedError = new StoreException("store " + file + " is closed");
        for (WatchDelivery watch : List.copyOf(watches)) watch.fail(closedError);
        watches.clear();
        for (Connection reader : allReaders) closeQuietly(reader);
        closeQuietly(writer);
        releaseLock();
    }

    private void releaseOnFailure() {
        for (Connection reader : allReaders) closeQuietly(reader);
        closeQuietly(writerIfOpened());
        releaseLock();
    }

    private Connection writerIfOpened() {
        return writer;
    }

    private void releaseLock() {
        try {
            lock.release();
        } catch (IOException | RuntimeException e) {
            log.debug("releasing lock of {} failed", file, e);
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) return;
        try {
            closeable.close();
        } catch (Exception e) {
            log.debug("close failed", e);
        }
    }
}
