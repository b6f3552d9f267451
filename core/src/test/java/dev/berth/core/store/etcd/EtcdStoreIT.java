package dev.berth.core.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.core.store.Store;
import dev.berth.core.store.StoreContractTest;
import dev.berth.core.store.StoreException;
import io.etcd.jetcd.Client;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class EtcdStoreIT extends StoreContractTest {
    private static EtcdTestServer etcd;

    @AfterAll
    static void stopEtcd() {
        if (etcd != null) etcd.close();
    }

    @Override
    protected Store openStore() {
        // Started from the first test rather than @BeforeAll: a skip there would hide the reason,
        // here every test reports it as skipped with the reason.
        if (etcd == null) etcd = EtcdTestServer.startOrSkip();
        Client client = Client.builder()
                .endpoints(etcd.endpoint())
                .maxInboundMessageSize(EtcdStore.MAX_MESSAGE_BYTES)
                .build();
        return new EtcdStore(client, EtcdStore.DEFAULT_PREFIX, true, Duration.ofMillis(200), Duration.ofSeconds(1));
    }

    @Test
    void keysLiveUnderTheConfiguredPrefixAndAreIsolatedFromOtherPrefixes() {
        try (EtcdStore other = EtcdStore.connect(etcd.endpoints(), "/other")) {
            store.create(key("a"), bytes("registry"));
            other.create(key("a"), bytes("other"));

            assertThat(text(store.get(key("a")).orElseThrow().value())).isEqualTo("registry");
            assertThat(text(other.get(key("a")).orElseThrow().value())).isEqualTo("other");
            assertThat(other.list(base + "/").items()).hasSize(1);
        }
    }

    @Test
    void listReadsManyKeysAcrossPagesAtOneRevision() {
        for (int i = 0; i < 150; i++) store.create(key("k%03d".formatted(i)), bytes("v" + i));
        long revision = store.currentRevision();

        Store.ListResult result = store.list(base + "/");

        assertThat(result.items()).hasSize(150);
        assertThat(result.items()).extracting(item -> item.key()).isSorted().doesNotHaveDuplicates();
        assertThat(result.revision()).isEqualTo(revision);
    }

    @Test
    void currentRevisionFollowsWritesFromOtherClients() {
        try (EtcdStore other = EtcdStore.connect(etcd.endpoints())) {
            long written = other.create(key("a"), bytes("x")).modRevision();

            assertThat(store.currentRevision()).isGreaterThanOrEqualTo(written);
        }
    }

    @Test
    void watchesEndWithAnErrorWhenEtcdStaysUnreachable() throws Exception {
        Recorder recorder = new Recorder();
        store.watch(base + "/", store.currentRevision(), recorder);
        etcd.stop();
        try {
            await().atMost(PATIENCE).until(() -> !recorder.errors.isEmpty());
            assertThat(recorder.errors.getFirst()).isInstanceOf(StoreException.class).hasMessageContaining("etcd");
        } finally {
            etcd.start();
        }
        // Once etcd is back, the same store serves requests again.
        await().atMost(PATIENCE).ignoreExceptions().until(() -> store.create(key("after"), bytes("x")) != null);
    }
}
