package dev.berth.core.apiserver.cache;

import dev.berth.core.store.StoredValue;
import dev.berth.core.store.memory.MemoryStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ObjectCacheTest {
    private final MemoryStore store = new MemoryStore();
    private ObjectCache cache;

    @AfterEach
    void close() {
        if (cache != null) cache.close();
    }

    private static byte[] cm(String name, String label) {
        return ("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name
                + "\",\"namespace\":\"ns\",\"labels\":{\"app\":\"" + label + "\"}}}").getBytes(StandardCharsets.UTF_8);
    }

    private ObjectCache started(int history) {
        cache = new ObjectCache(store, ValueTransformer.IDENTITY, history);
        cache.start();
        return cache;
    }

    private static List<String> drain(Watcher w, int n) throws InterruptedException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            CacheEvent e = w.poll(5, TimeUnit.SECONDS);
            assertThat(e).as("event %d of %d", i + 1, n).isNotNull();
            out.add(e.type() + " " + e.object().name() + "@" + e.revision());
        }
        return out;
    }

    @Test
    void aLaterPageShowsTheObjectsAsTheyWereAtTheFirstPagesRevision() throws Exception {
        started(100);
        store.create("/core/configmaps/ns/a", cm("a", "v1"));
        store.create("/core/configmaps/ns/b", cm("b", "v1"));
        store.create("/core/configmaps/ns/c", cm("c", "v1"));
        long firstPage = store.create("/core/configmaps/ns/d", cm("d", "v1")).modRevision();
        // after the first page (a): b changes twice, c goes, e and bb appear
        store.update("/core/configmaps/ns/b", cm("b", "v2"), 0);
        store.update("/core/configmaps/ns/b", cm("b", "v3"), 0);
        store.delete("/core/configmaps/ns/c", 0);
        store.create("/core/configmaps/ns/e", cm("e", "v1"));
        long last = store.create("/core/configmaps/ns/bb", cm("bb", "v1")).modRevision();
        cache.waitFor(last, Duration.ofSeconds(5));

        List<CachedObject> rest = cache.resource("core/configmaps")
                .listAfterAt("/core/configmaps/ns/", "/core/configmaps/ns/a", firstPage);
        assertThat(rest).extracting(o -> o.name() + "=" + o.labels().get("app"))
                .containsExactly("b=v1", "c=v1", "d=v1");
        assertThat(cache.resource("core/configmaps").listAfter("/core/configmaps/ns/", "/core/configmaps/ns/a"))
                .extracting(CachedObject::name).containsExactly("b", "bb", "d", "e");
    }

    @Test
    void aPageAtARevisionOlderThanTheHistoryIsTooOld() throws Exception {
        started(2);
        long first = store.create("/core/configmaps/ns/a", cm("a", "v1")).modRevision();
        store.create("/core/configmaps/ns/b", cm("b", "v1"));
        store.create("/core/configmaps/ns/c", cm("c", "v1"));
        long last = store.create("/core/configmaps/ns/d", cm("d", "v1")).modRevision();
        cache.waitFor(last, Duration.ofSeconds(5));
        assertThatThrownBy(() -> cache.resource("core/configmaps")
                .listAfterAt("/core/configmaps/ns/", "/core/configmaps/ns/a", first))
                .isInstanceOf(ResourceCache.TooOldException.class);
    }

    @Test
    void aReadAfterAnAcknowledgedWriteSeesIt() throws Exception {
        started(100);
        for (int i = 0; i < 50; i++) {
            StoredValue v = store.create("/core/configmaps/ns/c" + i, cm("c" + i, "a"));
            cache.waitFresh(Duration.ofSeconds(5));
            CachedObject o = cache.resource("core/configmaps").get("/core/configmaps/ns/c" + i);
            assertThat(o).isNotNull();
            assertThat(o.modRevision()).isEqualTo(v.modRevision());
            assertThat(new String(o.json(), StandardCharsets.UTF_8)).contains("\"resourceVersion\":\"" + v.modRevision() + "\"");
        }
    }

    @Test
    void aWatchFromARevisionGetsEveryLaterChangeInOrder() throws Exception {
        started(100);
        long r1 = store.create("/core/configmaps/ns/a", cm("a", "x")).modRevision();
        long r2 = store.create("/core/configmaps/ns/b", cm("b", "x")).modRevision();
        long r3 = store.delete("/core/configmaps/ns/a", 0).modRevision();
        cache.waitFor(r3, Duration.ofSeconds(5));
        Watcher w = cache.resource("core/configmaps").watch("/core/configmaps/ns/", o -> true, r1, 100);
        assertThat(drain(w, 2)).containsExactly("ADDED b@" + r2, "DELETED a@" + r3);
        long r4 = store.update("/core/configmaps/ns/b", cm("b", "y"), 0).modRevision();
        assertThat(drain(w, 1)).containsExactly("MODIFIED b@" + r4);
        w.close();
    }

    @Test
    void objectsLeavingAndEnteringASelectorAreDeletedAndAddedForThatWatcher() throws Exception {
        started(100);
        store.create("/core/configmaps/ns/a", cm("a", "web"));
        cache.waitFresh(Duration.ofSeconds(5));
        Watcher w = cache.resource("core/configmaps").watch("/core/configmaps/ns/",
                o -> "web".equals(o.labels().get("app")), -1, 100);
        assertThat(drain(w, 1)).singleElement().asString().startsWith("ADDED a@");
        long left = store.update("/core/configmaps/ns/a", cm("a", "db"), 0).modRevision();
        long back = store.update("/core/configmaps/ns/a", cm("a", "web"), 0).modRevision();
        assertThat(drain(w, 2)).containsExactly("DELETED a@" + left, "ADDED a@" + back);
    }

    @Test
    void aWatchFromBeforeTheRetainedHistoryIsTooOld() throws Exception {
        started(3);
        long first = store.create("/core/configmaps/ns/k0", cm("k0", "x")).modRevision();
        long last = first;
        for (int i = 1; i < 10; i++) {
            last = store.create("/core/configmaps/ns/k" + i, cm("k" + i, "x")).modRevision();
        }
        cache.waitFor(last, Duration.ofSeconds(5));
        ResourceCache rc = cache.resource("core/configmaps");
        long from = first;
        assertThatThrownBy(() -> rc.watch("/core/configmaps/", o -> true, from, 100))
                .isInstanceOf(ResourceCache.TooOldException.class).hasMessageContaining("too old resource version: " + first);
        Watcher recent = rc.watch("/core/configmaps/", o -> true, last - 2, 100);
        assertThat(drain(recent, 2)).hasSize(2);
    }

    @Test
    void aWatcherThatFallsBehindIsEndedInsteadOfGrowingWithoutBound() throws Exception {
        started(1000);
        Watcher slow = cache.resource("core/configmaps").watch("/core/configmaps/", o -> true, -1, 5);
        long last = 0;
        for (int i = 0; i < 20; i++) {
            last = store.create("/core/configmaps/ns/s" + i, cm("s" + i, "x")).modRevision();
        }
        cache.waitFor(last, Duration.ofSeconds(5));
        assertThat(slow.isDone()).isTrue();
        assertThat(slow.poll(1, TimeUnit.SECONDS)).isSameAs(Watcher.OVERFLOW);
    }

    @Test
    void stampingPutsTheResourceVersionIntoMetadata() {
        assertThat(new String(ResourceVersions.stamp("{\"kind\":\"X\",\"metadata\":{}}".getBytes(), 7)))
                .isEqualTo("{\"kind\":\"X\",\"metadata\":{\"resourceVersion\":\"7\"}}");
        assertThat(new String(ResourceVersions.stamp("{\"kind\":\"X\",\"metadata\":{\"name\":\"a\"},\"data\":{\"metadata\":{}}}".getBytes(), 8)))
                .isEqualTo("{\"kind\":\"X\",\"metadata\":{\"resourceVersion\":\"8\",\"name\":\"a\"},\"data\":{\"metadata\":{}}}");
    }
}
