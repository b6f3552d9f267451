package dev.berth.agent.prober;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodBuilder;

/** Names the object a probe's events are about: the probed container's pod. */
@FunctionalInterface
public interface ProbeEventSubject {
    HasMetadata regarding(ProbeTarget target);

    /** A Pod reference built from the target's {@code namespace/name} key and uid. */
    static ProbeEventSubject podFromKey() {
        return target -> {
            String key = target.podKey();
            int slash = key.indexOf('/');
            String namespace = slash < 0 ? "default" : key.substring(0, slash);
            String name = slash < 0 ? key : key.substring(slash + 1);
            return new PodBuilder().withNewMetadata()
                    .withNamespace(namespace).withName(name).withUid(target.podUid())
                    .endMetadata().build();
        };
    }
}
