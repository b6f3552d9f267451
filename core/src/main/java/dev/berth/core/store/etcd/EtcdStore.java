package dev.berth.core.store.etcd;

import dev.berth.core.store.Store;
import dev.berth.core.store.StoreEvent;
import dev.berth.core.store.StoreException;
import dev.berth.core.store.StoredValue;
import dev.berth.core.store.internal.WatchDelivery;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;

import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.OptionsUtil;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A store in etcd, for several control planes sharing one state. Keys live under a prefix
 * (default {@code /registry}); the revision is etcd's own global revision. Conditional writes are
 * etcd transactions comparing createRevision (create) or modRevision (update, delete).
 *
 * <p>A probe (a count-only read every {@code probeInterval}) watches the connection while watches
 * are open: jetcd silently retries broken watch streams forever, so after
 * {@code connectionLossTimeout} without an answer the open watches end with {@code onError} and
 * their owners can re-list once etcd is back.
 *
 * <p>The compacted revision is recorded under {@code /berth-meta<prefix>/compacted-revision},
 * outside the prefix, because etcd does not report it except through failing requests.
 */
public final class EtcdStore implements Store {
    public static final String DEFAULT_PREFIX = "/registry";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int LIST_PAGE = 64;
    /** Inbound gRPC limit: a list page of {@link #LIST_PAGE} values or a watch response with value and prevKV. */
    public static final int MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
    private static final AtomicInteger WATCH_IDS = new AtomicInteger();

    private final Client client;
    private final boolean ownsClient;
    private final KV kv;
    private final String prefix;
    private final ByteSequence compactedKey;
    private final List<Closeable> watches = new CopyOnWriteArrayList<>();
    private final Duration probeInterval;
    private final Duration connectionLossTimeout;
    private final Thread probe;
    private volatile boolean closed;

    private record Closeable(WatchDelivery delivery, io.etcd.jetcd.Watch.Watcher watcher) {}

    /**
     * @param client     a jetcd client; this store closes it when {@code ownsClient}
     * @param prefix     the key prefix without trailing slash, for example {@code /registry}
     */
    public EtcdStore(Client client, String prefix, boolean ownsClient) {
        this(client, prefix, ownsClient, Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    /**
     * @param probeInterval         how often the connection is checked while watches are open
     * @param connectionLossTimeout how long etcd may stay unreachable before watches fail
     */
    public EtcdStore(Client client, String prefix, boolean ownsClient, Duration probeInterval,
                     Duration connectionLossTimeout) {
        if (prefix.endsWith("/")) {
            throw new IllegalArgumentException("etcd key prefix " + prefix + " must not end with '/'");
        }
        this.client = client;
        this.ownsClient = ownsClient;
        this.kv = client.getKVClient();
        this.prefix = prefix;
        this.compactedKey = bytes("/berth-meta" + prefix + "/compacted-revision");
        this.probeInterval = probeInterval;
        this.connectionLossTimeout = connectionLossTimeout;
        this.probe = Thread.ofVirtual().name("etcd-store-probe " + prefix).start(this::probeLoop);
    }

    private void probeLoop() {
        long unreachableSince = 0;
        Throwable lastFailure = null;
        while (!closed) {
            try {
                Thread.sleep(probeInterval);
            } catch (InterruptedException e) {
                return;
            }
            if (watches.isEmpty()) {
                unreachableSince = 0;
                continue;
            }
            try {
                kv.get(compactedKey, GetOption.builder().withCountOnly(true).build())
                        .get(probeInterval.toMillis(), TimeUnit.MILLISECONDS);
                unreachableSince = 0;
            } catch (InterruptedException e) {
                return;
            } catch (ExecutionException | TimeoutException e) {
                lastFailure = e instanceof ExecutionException ? e.getCause() : e;
                long now = System.nanoTime();
                if (unreachableSince == 0) unreachableSince = now;
                if (now - unreachableSince >= connectionLossTimeout.toNanos()) {
                    StoreException lost = new StoreException("etcd unreachable for more than "
                            + connectionLossTimeout.toSeconds() + "s; watches under " + prefix + " ended", lastFailure);
                    for (Closeable watch : List.copyOf(watches)) watch.delivery().fail(lost);
                    unreachableSince = 0;
                }
            }
        }
    }

    /** Connects to {@code endpoints} (for example {@code http://127.0.0.1:2379}) with the default prefix. */
    public static EtcdStore connect(List<String> endpoints) {
        return connect(endpoints, DEFAULT_PREFIX);
    }

    public static EtcdStore connect(List<String> endpoints, String prefix) {
        Client client = Client.builder()
                .endpoints(endpoints.toArray(String[]::new))
                // Values up to etcd's request limit, and watch responses carrying value and prevKV.
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .build();
        return new EtcdStore(client, prefix, true);
    }

    private ByteSequence full(String key) { return bytes(prefix + key); }

    private String strip(ByteSequence key) {
        return key.toString(StandardCharsets.UTF_8).substring(prefix.length());
    }

    private static ByteSequence bytes(String text) { return ByteSequence.from(text, StandardCharsets.UTF_8); }

    private StoredValue value(KeyValue kv) {
        return new StoredValue(strip(kv.getKey()), kv.getValue().getBytes(), kv.getCreateRevision(), kv.getModRevision());
    }

    private <T> T await(CompletableFuture<T> future, String what) {
        ensureOpen();
        try {
            return future.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CompactedException compacted) {
                throw new StoreException.Compacted(-1, compacted.getCompactedRevision());
            }
            throw new StoreException(what + " failed in etcd: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new StoreException(what + " got no answer from etcd within " + TIMEOUT.toSeconds() + "s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(what + " interrupted", e);
        }
    }

    @Override
    public long currentRevision() {
        // A count-only range on one key is the cheapest request whose header carries the revision.
        GetResponse response = await(kv.get(compactedKey, GetOption.builder().withCountOnly(true).build()),
                "current revision");
        return response.getHeader().getRevision();
    }

    @Override
    public Optional<StoredValue> get(String key) {
        GetResponse response = await(kv.get(full(key)), "get " + key);
        return response.getKvs().stream().findFirst().map(this::value);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Read in pages of {@value #LIST_PAGE} keys, all at the revision of the first page, so one
     * response never approaches the gRPC message limit however large the values are.
     */
    @Override
    public ListResult list(String keyPrefix) {
        ByteSequence start = full(keyPrefix);
        ByteSequence end = OptionsUtil.prefixEndOf(start);
        List<StoredValue> items = new ArrayList<>();
        long revision = 0;
        while (true) {
            GetOption.Builder option = GetOption.builder()
                    .withRange(end)
                    .withLimit(LIST_PAGE)
                    .withSortField(GetOption.SortTarget.KEY)
                    .withSortOrder(GetOption.SortOrder.ASCEND);
            if (revision != 0) option.withRevision(revision);
            GetResponse response = await(kv.get(start, option.build()), "list " + keyPrefix);
            if (revision == 0) revision = response.getHeader().getRevision();
            for (KeyValue item : response.getKvs()) items.add(value(item));
            if (!response.isMore() || response.getKvs().isEmpty()) break;
            // The smallest key after the last one read.
            start = response.getKvs().getLast().getKey().concat(ByteSequence.from(new byte[] {0}));
        }
        return new ListResult(List.copyOf(items), revision);
    }

    @Override
    public StoredValue create(String key, byte[] value) {
        ByteSequence k = full(key);
        TxnResponse response = await(kv.txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(k, ByteSequence.from(value), PutOption.DEFAULT))
                .commit(), "create " + key);
        if (!response.isSucceeded()) throw new StoreException.KeyExists(key);
        long revision = response.getHeader().getRevision();
        return new StoredValue(key, value, revision, revision);
    }

    @Override
    public StoredValue update(String key, byte[] value, long expectedModRevision) {
        ByteSequence k = full(key);
        TxnResponse response = await(kv.txn()
                .If(condition(k, expectedModRevision))
                .Then(Op.put(k, ByteSequence.from(value), PutOption.builder().withPrevKV().build()))
                .Else(Op.get(k, GetOption.DEFAULT))
                .commit(), "update " + key);
        if (!response.isSucceeded()) throw failedCondition(key, expectedModRevision, response);
        long revision = response.getHeader().getRevision();
        KeyValue previous = response.getPutResponses().getFirst().getPrevKv();
        return new StoredValue(key, value, previous.getCreateRevision(), revision);
    }

    @Override
    public StoredValue delete(String key, long expectedModRevision) {
        ByteSequence k = full(key);
        TxnResponse response = await(kv.txn()
                .If(condition(k, expectedModRevision))
                .Then(Op.delete(k, DeleteOption.builder().withPrevKV(true).build()))
                .Else(Op.get(k, GetOption.DEFAULT))
                .commit(), "delete " + key);
        if (!response.isSucceeded()) throw failedCondition(key, expectedModRevision, response);
        KeyValue previous = response.getDeleteResponses().getFirst().getPrevKvs().getFirst();
        return new StoredValue(key, previous.getValue().getBytes(), previous.getCreateRevision(),
                response.getHeader().getRevision());
    }

    /** modRevision == expected, or for 0 "the key exists" (createRevision > 0). */
    private static Cmp condition(ByteSequence key, long expectedModRevision) {
        return expectedModRevision == 0
                ? new Cmp(key, Cmp.Op.GREATER, CmpTarget.createRevision(0))
                : new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(expectedModRevision));
    }

    private static StoreException failedCondition(String key, long expected, TxnResponse response) {
        List<KeyValue> current = response.getGetResponses().getFirst().getKvs();
        if (current.isEmpty()) return new StoreException.KeyNotFound(key);
        return new StoreException.Conflict(key, expected, current.getFirst().getModRevision());
    }

    @Override
    public void compact(long revision) {
        long already = compactedRevision();
        if (revision <= already) return;
        await(kv.compact(revision), "compact to revision " + revision);
        // Zero-padded, so that etcd's bytewise value comparison orders revisions numerically and
        // concurrent compactions only ever raise the recorded revision.
        ByteSequence recorded = bytes("%020d".formatted(revision));
        await(kv.txn()
                .If(new Cmp(compactedKey, Cmp.Op.LESS, CmpTarget.value(recorded)))
                .Then(Op.put(compactedKey, recorded, PutOption.DEFAULT))
                .Else()
                .commit(), "record compacted revision " + revision);
        await(kv.txn()
                .If(new Cmp(compactedKey, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(compactedKey, recorded, PutOption.DEFAULT))
                .commit(), "record first compacted revision " + revision);
    }

    @Override
    public long compactedRevision() {
        GetResponse response = await(kv.get(compactedKey), "compacted revision");
        if (response.getKvs().isEmpty()) return 0;
        return Long.parseLong(response.getKvs().getFirst().getValue().toString(StandardCharsets.UTF_8));
    }

    /**
     * {@inheritDoc}
     *
     * <p>jetcd resumes a watch after a broken stream from the last revision it delivered, so brief
     * connection losses cost no event; errors it does not retry (compaction, a closed client, a
     * halted server) end the watch through {@code onError}.
     */
    @Override
    public Store.Watch watch(String keyPrefix, long afterRevision, WatchListener listener) {
        long compacted = compactedRevision();
        if (afterRevision < compacted) throw new StoreException.Compacted(afterRevision, compacted);
        String name = "etcd-watch-" + WATCH_IDS.incrementAndGet() + " " + keyPrefix;
        Closeable[] self = new Closeable[1];
        WatchDelivery delivery = new WatchDelivery(name, keyPrefix, afterRevision, listener, () -> {
            if (self[0] != null) {
                watches.remove(self[0]);
                self[0].watcher().close();
            }
        });
        io.etcd.jetcd.Watch.Watcher watcher = client.getWatchClient().watch(full(keyPrefix), WatchOption.builder()
                        .isPrefix(true)
                        .withPrevKV(true)
                        .withRevision(afterRevision + 1)
                        .build(),
                new io.etcd.jetcd.Watch.Listener() {
                    @Override
                    public void onNext(WatchResponse response) {
                        for (WatchEvent event : response.getEvents()) delivery.offer(toEvent(event));
                    }

                    @Override
                    public void onError(Throwable error) {
                        if (error instanceof CompactedException compactedError) {
                            delivery.fail(new StoreException.Compacted(afterRevision, compactedError.getCompactedRevision()));
                        } else {
                            delivery.fail(new StoreException("watch of " + keyPrefix + " after revision "
                                    + afterRevision + " lost its etcd stream: " + error.getMessage(), error));
                        }
                    }

                    @Override
                    public void onCompleted() {
                        delivery.fail(new StoreException("etcd ended the watch of " + keyPrefix));
                    }
                });
        self[0] = new Closeable(delivery, watcher);
        watches.add(self[0]);
        return delivery.start(d -> {});
    }

    private StoreEvent toEvent(WatchEvent event) {
        KeyValue current = event.getKeyValue();
        KeyValue previous = event.getPrevKV();
        byte[] prevValue = previous == null || previous.getKey().isEmpty() ? null : previous.getValue().getBytes();
        String key = strip(current.getKey());
        if (event.getEventType() == WatchEvent.EventType.DELETE) {
            // etcd's delete event carries an empty value; the SPI wants the value before deletion.
            return new StoreEvent(StoreEvent.Type.DELETE, key, prevValue, prevValue, current.getModRevision(), false);
        }
        boolean created = current.getCreateRevision() == current.getModRevision();
        return new StoreEvent(StoreEvent.Type.PUT, key, current.getValue().getBytes(), created ? null : prevValue,
                current.getModRevision(), created);
    }

    private void ensureOpen() {
        if (closed) throw new StoreException("etcd store " + prefix + " is closed");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        probe.interrupt();
        StoreException closedError = new StoreException("etcd store " + prefix + " is closed");
        for (Closeable watch : List.copyOf(watches)) {
            watch.watcher().close();
            watch.delivery().fail(closedError);
        }
        watches.clear();
        if (ownsClient) client.close();
    }
}
