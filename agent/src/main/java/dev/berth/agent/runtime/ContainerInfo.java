package dev.berth.agent.runtime;

import java.time.Instant;
import java.util.Map;

/**
 * A container as the runtime reports it (sandboxes included).
 *
 * @param id         the runtime's id
 * @param name       the runtime's name
 * @param image      the image reference it was created from
 * @param imageId    the image's id ({@code sha256:...})
 * @param labels     all labels, {@link RuntimeLabels} among them
 * @param state      created, running, exited
 * @param exitCode   meaningful when exited
 * @param oomKilled  killed by the kernel's OOM killer
 * @param error      the runtime's error text when it could not start the container, else empty
 * @param createdAt  when created
 * @param startedAt  when last started, null if never
 * @param finishedAt when it exited, null if not
 * @param ip         the pod IP on its network; sandboxes only, empty otherwise or with host network
 * @param pid        the main process's pid on the host while running, else 0
 */
public record ContainerInfo(String id, String name, String image, String imageId, Map<String, String> labels,
                            ContainerState state, int exitCode, boolean oomKilled, String error, Instant createdAt,
                            Instant startedAt, Instant finishedAt, String ip, long pid) {
    public ContainerInfo {
        labels = Map.copyOf(labels);
    }

    public String label(String key) {
        return labels.getOrDefault(key, "");
    }
}
