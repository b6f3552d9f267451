package dev.berth.core.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Store} implementation promises. Subclasses provide a fresh or shared
 * store; every test works under its own random key prefix, so a shared etcd is fine.
 */
public abstract class StoreContractTest {
    protected static final Duration PATIENCE = Duration.ofSeconds(30);

    protected Store store;
    protected String base;

    /** A store to test; called before each test. */
    protected abstract Store openStore() throws Exception;

    /** Called after each test with the store from {@link #openStore()}. */
    protected void closeStore(Store store) throws Exception {
        store.close();
    }

    @BeforeEach
    void openTheStore() throws Exception {
        store = openStore();
        base = "/contract-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void closeTheStore() throws Exception {
        if (store != null) closeStore(store);
    }

    protected String key(String name) { return base + "/" + name; }

    protected static byte[] bytes(String text) { return text.getBytes(UTF_8); }

    protected static String text(byte[] bytes) { return new String(bytes, UTF_8); }

    /** Records what a watch delivers, and on which threads. */
    public static class Recorder implements Store.WatchListener {
        public final List<StoreEvent> events = new CopyOnWriteArrayList<>();
        public final List<Throwable> errors = new CopyOnWriteArrayList<>();

        @Override public void onEvent(StoreEvent event) { events.add(event); }

        @Override public void onError(Throwable error) { errors.add(error); }

        public List<Long> revisions() { return events.stream().map(StoreEvent::revision).toList(); }
    }

    // ---- create / get / update / delete ----

    @Test
    void createdValueIsReadBackWithItsRevision() {
        StoredValue created = store.create(key("a"), bytes("one"));

        assertThat(created.createRevision()).isEqualTo(created.modRevision()).isEqualTo(store.currentRevision());
        StoredValue read = store.get(key("a")).orElseThrow();
        assertThat(text(read.value())).isEqualTo("one");
        assertThat(read.createRevision()).isEqualTo(created.createRevision());
        assertThat(read.modRevision()).isEqualTo(created.modRevision());
    }

    @Test
    void getOfMissingKeyIsEmpty() {
        assertThat(store.get(key("missing"))).isEmpty();
    }

    @Test
    void createOfExistingKeyFailsWithKeyExists() {
        store.create(key("a"), bytes("one"));
        long revision = store.currentRevision();

        assertThatThrownBy(() -> store.create(key("a"), bytes("two")))
                .isInstanceOf(StoreException.KeyExists.class)
                .hasMessageContaining(key("a"));
        assertThat(text(store.get(key("a")).orElseThrow().value())).isEqualTo("one");
        assertThat(store.currentRevision()).isEqualTo(revision);
    }

    @Test
    void updateWithCurrentModRevisionReplacesValueAndKeepsCreateRevision() {
        StoredValue created = store.create(key("a"), bytes("one"));

        StoredValue updated = store.update(key("a"), bytes("two"), created.modRevision());

        assertThat(updated.createRevision()).isEqualTo(created.createRevision());
        assertThat(updated.modRevision()).isGreaterThan(created.modRevision()).isEqualTo(store.currentRevision());
        StoredValue read = store.get(key("a")).orElseThrow();
        assertThat(text(read.value())).isEqualTo("two");
        assertThat(read.modRevision()).isEqualTo(updated.modRevision());
    }

    @Test
    void updateWithStaleModRevisionFailsWithConflictNamingTheActualRevision() {
        StoredValue created = store.create(key("a"), bytes("one"));
        StoredValue updated = store.update(key("a"), bytes("two"), created.modRevision());

        assertThatThrownBy(() -> store.update(key("a"), bytes("three"), created.modRevision()))
                .isInstanceOfSatisfying(StoreException.Conflict.class,
                        conflict -> assertThat(conflict.actualRevision()).isEqualTo(updated.modRevision()))
                .hasMessageContaining(key("a"));
        assertThat(text(store.get(key("a")).orElseThrow().value())).isEqualTo("two");
    }

    @Test
    void unconditionalUpdateReplacesWhateverIsThere() {
        store.create(key("a"), bytes("one"));
        store.update(key("a"), bytes("two"), 0);

        StoredValue updated = store.update(key("a"), bytes("three"), 0);

        assertThat(text(store.get(key("a")).orElseThrow().value())).isEqualTo("three");
        assertThat(updated.modRevision()).isEqualTo(store.currentRevision());
    }

    @Test
    void updateOfMissingKeyFailsWithKeyNotFound() {
        assertThatThrownBy(() -> store.update(key("missing"), bytes("x"), 0))
                .isInstanceOf(StoreException.KeyNotFound.class)
                .hasMessageContaining(key("missing"));
        assertThatThrownBy(() -> store.update(key("missing"), bytes("x"), 5))
                .isInstanceOf(StoreException.KeyNotFound.class);
    }

    @Test
    void deleteReturnsTheDeletedValueAtTheRevisionOfTheDelete() {
        StoredValue created = store.create(key("a"), bytes("one"));

        StoredValue deleted = store.delete(key("a"), created.modRevision());

        assertThat(text(deleted.value())).isEqualTo("one");
        assertThat(deleted.createRevision()).isEqualTo(created.createRevision());
        assertThat(deleted.modRevision()).isGreaterThan(created.modRevision()).isEqualTo(store.currentRevision());
        assertThat(store.get(key("a"))).isEmpty();
    }

    @Test
    void deleteWithStaleModRevisionFailsWithConflictAndKeepsTheKey() {
        StoredValue created = store.create(key("a"), bytes("one"));
        store.update(key("a"), bytes("two"), 0);

        assertThatThrownBy(() -> store.delete(key("a"), created.modRevision()))
                .isInstanceOf(StoreException.Conflict.class);
        assertThat(store.get(key("a"))).isPresent();
    }

    @Test
    void deleteOfMissingKeyFailsWithKeyNotFound() {
        assertThatThrownBy(() -> store.delete(key("missing"), 0))
                .isInstanceOf(StoreException.KeyNotFound.class)
                .hasMessageContaining(key("missing"));
    }

    @Test
    void keyCanBeCreatedAgainAfterDeleteWithANewCreateRevision() {
        StoredValue first = store.create(key("a"), bytes("one"));
        store.delete(key("a"), 0);

        StoredValue second = store.create(key("a"), bytes("two"));

        assertThat(second.createRevision()).isGreaterThan(first.createRevision());
    }

    // ---- revisions ----

    @Test
    void everyWriteAdvancesTheRevisionByOne() {
        long start = store.currentRevision();

        long r1 = store.create(key("a"), bytes("1")).modRevision();
        long r2 = store.update(key("a"), bytes("2"), r1).modRevision();
        long r3 = store.create(key("b"), bytes("3")).modRevision();
        long r4 = store.delete(key("a"), r2).modRevision();

        assertThat(List.of(r1, r2, r3, r4)).containsExactly(start + 1, start + 2, start + 3, start + 4);
        assertThat(store.currentRevision()).isEqualTo(start + 4);
    }

    @Test
    void failedWritesDoNotAdvanceTheRevision() {
        store.create(key("a"), bytes("1"));
        long before = store.currentRevision();

        assertThatThrownBy(() -> store.create(key("a"), bytes("again"))).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> store.update(key("a"), bytes("x"), before + 100)).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> store.delete(key("nope"), 0)).isInstanceOf(StoreException.class);

        assertThat(store.currentRevision()).isEqualTo(before);
    }

    @Test
    void concurrentCompareAndSetIncrementsLoseNoUpdate() throws Exception {
        store.create(key("counter"), bytes("0"));
        int threads = 8;
        int incrementsEach = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> conflicts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                conflicts.add(pool.submit(() -> {
                    int seen = 0;
                    for (int i = 0; i < incrementsEach; ) {
                        StoredValue current = store.get(key("counter")).orElseThrow();
                        int next = Integer.parseInt(text(current.value())) + 1;
                        try {
                            store.update(key("counter"), bytes(Integer.toString(next)), current.modRevision());
                            i++;
                        } catch (StoreException.Conflict e) {
                            seen++;
                        }
                    }
                    return seen;
                }));
            }
            for (Future<Integer> f : conflicts) f.get();
        } finally {
            pool.shutdownNow();
        }

        assertThat(text(store.get(key("counter")).orElseThrow().value()))
                .isEqualTo(Integer.toString(threads * incrementsEach));
    }

    @Test
    void manyConcurrentWritersGetDistinctConsecutiveRevisions() throws Exception {
        int writers = 16;
        int writesEach = 40;
        long start = store.currentRevision();
        Recorder recorder = new Recorder();
        try (Store.Watch ignored = store.watch(base + "/", start, recorder)) {
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            List<Future<long[]>> results = new ArrayList<>();
            try {
                for (int w = 0; w < writers; w++) {
                    int writer = w;
                    results.add(pool.submit(() -> {
                        long[] revisions = new long[writesEach];
                        for (int i = 0; i < writesEach; i++) {
                            revisions[i] = store.create(key("w" + writer + "-" + i), bytes("v" + i)).modRevision();
                        }
                        return revisions;
                    }));
                }
                List<Long> all = new ArrayList<>();
                for (Future<long[]> f : results) {
                    long[] revisions = f.get();
                    // each writer sees its own writes in increasing revision order
                    assertThat(revisions).isSorted();
                    Arrays.stream(revisions).forEach(all::add);
                }
                assertThat(all).doesNotHaveDuplicates().hasSize(writers * writesEach);
            } finally {
                pool.shutdownNow();
            }
            long end = store.currentRevision();
            assertThat(end - start).isEqualTo((long) writers * writesEach);
            assertThat(store.list(base + "/").items()).hasSize(writers * writesEach);
            await().atMost(PATIENCE).until(() -> recorder.events.size() >= writers * writesEach);
            assertThat(recorder.revisions()).containsExactlyElementsOf(
                    LongStream.rangeClosed(start + 1, end).boxed().toList());
        }
    }

    // ---- list ----

    @Test
    void listReturnsKeysUnderThePrefixInKeyOrder() {
        store.create(key("b/2"), bytes("b2"));
        store.create(key("a/1"), bytes("a1"));
        store.create(key("b/1"), bytes("b1"));
        store.create(key("b/10"), bytes("b10"));

        Store.ListResult result = store.list(base + "/b/");

        assertThat(result.items()).extracting(StoredValue::key)
                .containsExactly(key("b/1"), key("b/10"), key("b/2"));
        assertThat(result.revision()).isEqualTo(store.currentRevision());
    }

    @Test
    void listOfAPrefixDoesNotIncludeSiblingsThatShareItsLeadingCharacters() {
        store.create(key("a/b/x"), bytes("1"));
        store.create(key("a/bc/y"), bytes("2"));
        store.create(key("a/b"), bytes("3"));

        assertThat(store.list(base + "/a/b/").items()).extracting(StoredValue::key).containsExactly(key("a/b/x"));
        assertThat(store.list(base + "/a/bc/").items()).extracting(StoredValue::key).containsExactly(key("a/bc/y"));
        assertThat(store.list(base + "/a/").items()).hasSize(3);
    }

    @Test
    void listOfEmptyPrefixReturnsEmptyItemsAtTheCurrentRevision() {
        store.create(key("x"), bytes("1"));

        Store.ListResult result = store.list(base + "/nothing-here/");

        assertThat(result.items()).isEmpty();
        assertThat(result.revision()).isEqualTo(store.currentRevision());
    }

    // ---- watch ----

    // Repeated: each run lands the switch from history to live events at a different point.
    @RepeatedTest(5)
    void watchReplaysHistoryThenDeliversLiveEventsExactlyOnceInOrder() throws Exception {
        long start = store.currentRevision();
        for (int i = 0; i < 30; i++) store.create(key("k" + i), bytes("v" + i));
        long from = start + 10;
        Recorder recorder = new Recorder();

        // Writes race the watch's switch from history to live events.
        Thread writer = Thread.ofPlatform().start(() -> {
            for (int i = 30; i < 60; i++) store.create(key("k" + i), bytes("v" + i));
        });
        try (Store.Watch ignored = store.watch(base + "/", from, recorder)) {
            writer.join();
            long end = store.currentRevision();
            await().atMost(PATIENCE).until(() -> recorder.events.size() >= end - from);
            assertThat(recorder.revisions())
                    .containsExactlyElementsOf(LongStream.rangeClosed(from + 1, end).boxed().toList());
            assertThat(recorder.events).extracting(StoreEvent::key).first().isEqualTo(key("k10"));
            assertThat(recorder.errors).isEmpty();
        }
    }

    @Test
    void watchEventsDescribeCreateUpdateAndDelete() {
        Recorder recorder = new Recorder();
        try (Store.Watch ignored = store.watch(base + "/", store.currentRevision(), recorder)) {
            StoredValue created = store.create(key("a"), bytes("one"));
            StoredValue updated = store.update(key("a"), bytes("two"), 0);
            StoredValue deleted = store.delete(key("a"), 0);

            await().atMost(PATIENCE).until(() -> recorder.events.size() >= 3);
            StoreEvent create = recorder.events.get(0);
            StoreEvent update = recorder.events.get(1);
            StoreEvent delete = recorder.events.get(2);
            assertThat(create.type()).isEqualTo(StoreEvent.Type.PUT);
            assertThat(create.created()).isTrue();
            assertThat(create.revision()).isEqualTo(created.modRevision());
            assertThat(text(create.value())).isEqualTo("one");
            assertThat(update.type()).isEqualTo(StoreEvent.Type.PUT);
            assertThat(update.created()).isFalse();
            assertThat(text(update.value())).isEqualTo("two");
            assertThat(text(update.prevValue())).isEqualTo("one");
            assertThat(update.revision()).isEqualTo(updated.modRevision());
            assertThat(delete.type()).isEqualTo(StoreEvent.Type.DELETE);
            assertThat(text(delete.value())).isEqualTo("two");
            assertThat(delete.revision()).isEqualTo(deleted.modRevision());
        }
    }

    @Test
    void watchSeesOnlyKeysUnderItsPrefix() {
        Recorder recorder = new Recorder();
        try (Store.Watch ignored = store.watch(base + "/a/b/", store.currentRevision(), recorder)) {
            store.create(key("a/bc/other"), bytes("no"));
            store.create(key("a/b/mine"), bytes("yes"));
            store.create(key("a/b/end"), bytes("yes"));

            await().atMost(PATIENCE).until(() -> recorder.events.size() >= 2);
            assertThat(recorder.events).extracting(StoreEvent::key).containsExactly(key("a/b/mine"), key("a/b/end"));
        }
    }

    @Test
    void closedWatchReceivesNoMoreEvents() {
        Recorder recorder = new Recorder();
        Store.Watch watch = store.watch(base + "/", store.currentRevision(), recorder);
        store.create(key("a"), bytes("1"));
        await().atMost(PATIENCE).until(() -> recorder.events.size() == 1);

        watch.close();
        store.create(key("b"), bytes("2"));
        // A second watch that sees key b proves the write was dispatched after the close.
        Recorder later = new Recorder();
        try (Store.Watch ignored = store.watch(base + "/", store.currentRevision() - 1, later)) {
            await().atMost(PATIENCE).until(() -> later.events.size() == 1);
        }
        assertThat(recorder.events).hasSize(1);
    }

    @Test
    void aSlowWatcherDoesNotHoldBackWritersOrOtherWatchers() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Store.WatchListener stuck = new Store.WatchListener() {
            @Override public void onEvent(StoreEvent event) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        Recorder healthy = new Recorder();
        try (Store.Watch a = store.watch(base + "/", store.currentRevision(), stuck);
             Store.Watch b = store.watch(base + "/", store.currentRevision(), healthy)) {
            for (int i = 0; i < 20; i++) store.create(key("k" + i), bytes("v"));
            await().atMost(PATIENCE).until(() -> healthy.events.size() == 20);
        } finally {
            release.countDown();
        }
    }

    @Test
    void watchFromCompactedRevisionFailsWithCompacted() {
        long start = store.currentRevision();
        for (int i = 0; i < 5; i++) store.create(key("k" + i), bytes("v"));
        long compactTo = store.currentRevision() - 1;

        store.compact(compactTo);

        assertThat(store.compactedRevision()).isGreaterThanOrEqualTo(compactTo);
        assertThatThrownBy(() -> store.watch(base + "/", start, new Recorder()))
                .isInstanceOfSatisfying(StoreException.Compacted.class,
                        compacted -> assertThat(compacted.compactRevision()).isGreaterThanOrEqualTo(compactTo));
        // From the compacted revision itself, the remaining history is still there.
        Recorder recorder = new Recorder();
        try (Store.Watch ignored = store.watch(base + "/", compactTo, recorder)) {
            await().atMost(PATIENCE).until(() -> recorder.events.size() == 1);
            assertThat(recorder.events.getFirst().key()).isEqualTo(key("k4"));
        }
    }

    // ---- large values ----

    @Test
    void largeValuesRoundTripThroughWritesReadsAndWatches() {
        byte[] big = new byte[3 * 1024 * 1024];
        new java.util.Random(42).nextBytes(big);
        byte[] bigger = big.clone();
        bigger[0] ^= 1;
        Recorder recorder = new Recorder();
        try (Store.Watch ignored = store.watch(base + "/", store.currentRevision(), recorder)) {
            StoredValue created = store.create(key("big"), big);
            store.update(key("big"), bigger, created.modRevision());

            assertThat(store.get(key("big")).orElseThrow().value()).isEqualTo(bigger);
            assertThat(store.list(base + "/").items().getFirst().value()).isEqualTo(bigger);
            await().atMost(PATIENCE).until(() -> recorder.events.size() == 2);
            assertThat(recorder.events.get(0).value()).isEqualTo(big);
            assertThat(recorder.events.get(1).value()).isEqualTo(bigger);
        }
    }
}
