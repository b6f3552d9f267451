package dev.berth.core.controller.runtime;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InformersTest {

    @Test
    void syncedWaitsForTheStartEvenWhenNoInformerWasRequestedYet() {
        try (KubernetesClient client = new KubernetesClientBuilder().build();
             Informers informers = new Informers(client)) {
            var synced = informers.synced();
            assertThat(synced).isNotDone();
            informers.start();
            assertThat(synced).succeedsWithin(java.time.Duration.ofSeconds(5));
        }
    }
}
