package dev.berth.agent.podworker;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ObjectLookupTest {
    @Test
    void lastAnswerServesWhileTheApiCannotBeReached() {
        AtomicBoolean down = new AtomicBoolean(false);
        ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName("cfg").endMetadata().addToData("k", "v").build();
        ObjectLookup lookup = new ObjectLookup.Cached((ns, name) -> {
            if (down.get()) {
                throw new KubernetesClientException("connection refused");
            }
            return name.equals("cfg") ? cm : null;
        }, (ns, name) -> {
            throw new KubernetesClientException("connection refused");
        });
        assertThat(lookup.configMap("default", "cfg")).isEqualTo(cm);
        assertThat(lookup.configMap("default", "absent")).isNull();
        down.set(true);
        assertThat(lookup.configMap("default", "cfg")).isEqualTo(cm);
        assertThat(lookup.configMap("default", "absent")).isNull();
        assertThatThrownBy(() -> lookup.configMap("default", "never-read")).hasMessageContaining("connection refused");
        assertThatThrownBy(() -> lookup.secret("default", "s")).hasMessageContaining("connection refused");
    }

    @Test
    void withoutAClientLookupsFailNamingTheObject() {
        assertThatThrownBy(() -> ObjectLookup.of(null).configMap("ns", "cfg"))
                .hasMessage("cannot read configmap ns/cfg: the agent has no API client");
    }
}
