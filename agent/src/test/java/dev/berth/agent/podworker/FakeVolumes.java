package dev.berth.agent.podworker;

import dev.berth.agent.volume.PodVolumes;
import dev.berth.agent.volume.VolumeException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Volumes as plain directories under a temporary root; a test can make setUp fail. */
final class FakeVolumes implements PodVolumes {
    private final Path root;
    volatile String failure;
    final List<String> tornDown = new CopyOnWriteArrayList<>();
    private final Set<String> onDisk = ConcurrentHashMap.newKeySet();

    FakeVolumes(Path root) {
        this.root = root;
    }

    @Override
    public Map<String, Path> setUp(Pod pod) {
        if (failure != null) {
            throw new VolumeException(failure);
        }
        Map<String, Path> out = new LinkedHashMap<>();
        for (Volume v : pod.getSpec().getVolumes()) {
            Path dir = root.resolve(pod.getMetadata().getUid()).resolve(v.getName());
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out.put(v.getName(), dir);
        }
        onDisk.add(pod.getMetadata().getUid());
        return out;
    }

    @Override
    public void tearDown(String podUid) {
        tornDown.add(podUid);
        onDisk.remove(podUid);
    }

    @Override
    public Set<String> podUidsOnDisk() {
        return Set.copyOf(onDisk);
    }
}
