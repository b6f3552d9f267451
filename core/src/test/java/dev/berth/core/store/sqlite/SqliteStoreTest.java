package dev.berth.core.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.berth.core.store.Store;
import dev.berth.core.store.StoreContractTest;
import dev.berth.core.store.StoreEvent;
import dev.berth.core.store.StoreException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest extends StoreContractTest {
    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    private SqliteStoreConfig config() {
        return SqliteStoreConfig.defaults().withClock(clock).withCompactionInterval(Duration.ZERO);
    }

    @Override
    protected Store openStore() {
        return SqliteStore.open(dir.resolve("store.db"), config());
    }

    @Test
    void reopenedStoreKeepsValuesRevisionAndHistory() {
        store.create(key("a"), bytes("one"));
        long updated = store.update(key("a"), bytes("two"), 0).modRevision();
        store.close();

        store = openStore();

        assertThat(store.currentRevision()).isEqualTo(updated);
        assertThat(text(store.get(key("a")).orElseThrow().value())).isEqualTo("two");
        Recorder recorder = new Recorder();
        try (Store.Watch ignored = store.watch(base + "/", 0, recorder)) {
            await().atMost(PATIENCE).until(() -> recorder.events.size() == 2);
            assertThat(recorder.revisions()).containsExactly(updated - 1, updated);
        }
        assertThat(store.create(key("b"), bytes("x")).modRevision()).isEqualTo(updated + 1);
    }

    @Test
    void secondOpenOfTheSameFileFailsWhileTheFirstHoldsIt() {
        assertThatThrownBy(() -> SqliteStore.open(dir.resolve("store.db"), config()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("in use");
        store.close();
        store = openStore();
        assertThat(store.currentRevision()).isZero();
    }

    @Test
    void compactionPolicyKeepsRecentRevisionsAndRecentHistory() {
        store.close();
        store = SqliteStore.open(dir.resolve("store.db"), config().withRetention(Duration.ofMinutes(5), 10));
        SqliteStore sqlite = (SqliteStore) store;
        for (int i = 0; i < 30; i++) store.create(key("old" + i), bytes("v"));
        long oldEnd = store.currentRevision();

        // Everything is younger than five minutes: nothing may go.
        assertThat(sqlite.compactByPolicy()).isZero();

        clock.advance(Duration.ofMinutes(6));
        for (int i = 0; i < 5; i++) store.create(key("new" + i), bytes("v"));

        // The old writes are past five minutes, but the last ten revisions stay.
        assertThat(sqlite.compactByPolicy()).isEqualTo(store.currentRevision() - 10).isLessThan(oldEnd);
        assertThatThrownBy(() -> store.watch(base + "/", 0, new Recorder()))
                .isInstanceOf(StoreException.Compacted.class);

        long minuteSixEnd = store.currentRevision();
        clock.advance(Duration.ofMinutes(6));
        for (int i = 0; i < 20; i++) store.create(key("newer" + i), bytes("v"));
        // More than ten revisions are new now; the five-minute window is what bounds it.
        assertThat(sqlite.compactByPolicy()).isEqualTo(minuteSixEnd).isLessThan(store.currentRevision() - 10);
    }

    @Test
    void automaticCompactionRunsInTheBackground() {
        store.close();
        store = SqliteStore.open(dir.resolve("store.db"), config()
                .withRetention(Duration.ofMinutes(5), 3)
                .withCompactionInterval(Duration.ofMillis(20)));
        for (int i = 0; i < 10; i++) store.create(key("k" + i), bytes("v"));

        clock.advance(Duration.ofMinutes(10));

        await().atMost(PATIENCE).until(() -> store.compactedRevision() == store.currentRevision() - 3);
    }

    @Test
    void compactionToAFutureRevisionIsRejected() {
        store.create(key("a"), bytes("1"));

        assertThatThrownBy(() -> store.compact(store.currentRevision() + 5))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("current revision is " + store.currentRevision());
    }

    @Test
    void compactedRevisionSurvivesReopen() {
        for (int i = 0; i < 4; i++) store.create(key("k" + i), bytes("v"));
        store.compact(3);
        store.close();

        store = openStore();

        assertThat(store.compactedRevision()).isEqualTo(3);
        assertThatThrownBy(() -> store.watch("/", 2, new Recorder())).isInstanceOf(StoreException.Compacted.class);
    }

    @Test
    void closingTheStoreEndsWatchesWithAnError() {
        Recorder recorder = new Recorder();
        store.watch(base + "/", 0, recorder);

        store.close();

        await().atMost(PATIENCE).until(() -> recorder.errors.size() == 1);
        assertThat(recorder.errors.getFirst()).hasMessageContaining("closed");
        assertThatThrownBy(() -> store.get(key("a"))).hasMessageContaining("closed");
    }

    @Test
    void replayedEventsHaveNoPreviousValueButLiveOnesDo() {
        store.create(key("a"), bytes("one"));
        store.update(key("a"), bytes("two"), 0);
        AtomicReference<StoreEvent> replayed = new AtomicReference<>();
        Recorder recorder = new Recorder();
        try (Store.Watch ignored = store.watch(base + "/", 1, recorder)) {
            await().atMost(PATIENCE).until(() -> recorder.events.size() == 1);
            replayed.set(recorder.events.getFirst());
        }
        assertThat(replayed.get().prevValue()).isNull();
        assertThat(text(replayed.get().value())).isEqualTo("two");
    }

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) { this.now = start; }

        void advance(Duration duration) { now = now.plus(duration); }

        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }

        @Override public Clock withZone(java.time.ZoneId zone) { return this; }

        @Override public Instant instant() { return now; }
    }
}
