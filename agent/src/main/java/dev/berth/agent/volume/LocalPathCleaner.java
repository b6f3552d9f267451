package dev.berth.agent.volume;

import dev.berth.core.controller.volume.localpath.LocalPath;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes the directories of the local-path provisioner's volumes on this node once nobody needs
 * them: the PersistentVolume is gone, or it is Released with reclaim policy Delete (the
 * provisioner then deletes it without waiting for the node; the directory is the node's to
 * remove). Only directories named as the provisioner names them ({@code pvc-<uid>_<namespace>_<claim>})
 * under the storage root are touched; a Retain volume's data stays. When the API cannot be read,
 * nothing is removed.
 */
public final class LocalPathCleaner implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalPathCleaner.class.getName());
    /** How often the agent looks, unless told otherwise. */
    public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(30);
    private static final Pattern DIR_NAME = Pattern.compile("(pvc-[0-9a-fA-F-]{36})_([a-z0-9.-]+)_([a-z0-9.-]+)");

    private final KubernetesClient client;
    private final Path storageRoot;
    private final String nodeName;
    private final Duration period;
    private ScheduledExecutorService loop;

    public LocalPathCleaner(KubernetesClient client, String nodeName) {
        this(client, Path.of(LocalPath.STORAGE_ROOT), nodeName, DEFAULT_PERIOD);
    }

    /** @param storageRoot where the volumes' directories are ({@link LocalPath#STORAGE_ROOT} on a node) */
    public LocalPathCleaner(KubernetesClient client, Path storageRoot, String nodeName, Duration period) {
        this.client = client;
        this.storageRoot = storageRoot;
        this.nodeName = nodeName;
        this.period = period;
    }

    public synchronized void start() {
        if (loop != null) {
            return;
        }
        loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "local-path-cleaner");
            t.setDaemon(true);
            return t;
        });
        loop.scheduleWithFixedDelay(() -> {
            try {
                cleanOnce();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "local-path cleanup failed; trying again in " + period, e);
            }
        }, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * One pass: lists the directories first and the volumes after, so that a directory made for a
     * volume created meanwhile always finds its volume.
     *
     * @return the directories removed
     */
    public List<Path> cleanOnce() {
        List<Path> candidates = new ArrayList<>();
        if (!Files.isDirectory(storageRoot)) {
            return List.of();
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(storageRoot)) {
            for (Path d : dirs) {
                if (Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS) && DIR_NAME.matcher(d.getFileName().toString()).matches()) {
                    candidates.add(d);
                }
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot list " + storageRoot + ": " + e.getMessage());
            return List.of();
        }
        if (candidates.isEmpty()) {
            return List.of();
        }
        Map<String, PersistentVolume> volumes = new HashMap<>();
        try {
            for (PersistentVolume pv : client.persistentVolumes().list().getItems()) {
                volumes.put(pv.getMetadata().getName(), pv);
            }
        } catch (KubernetesClientException e) {
            LOG.log(Level.FINE, "cannot list PersistentVolumes, removing nothing: " + e.getMessage());
            return List.of();
        }
        List<Path> removed = new ArrayList<>();
        for (Path dir : candidates) {
            Matcher m = DIR_NAME.matcher(dir.getFileName().toString());
            if (!m.matches()) {
                continue;
            }
            PersistentVolume pv = volumes.get(m.group(1));
            String why = removable(pv, dir);
            if (why == null) {
                continue;
            }
            try {
                Tree.delete(dir);
                removed.add(dir);
                LOG.info(() -> "removed " + dir + ": " + why);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot remove " + dir + ": " + e.getMessage());
            }
        }
        return removed;
    }

    /** Why the directory can go, or null when it stays. */
    private String removable(PersistentVolume pv, Path dir) {
        if (pv == null) {
            return "its PersistentVolume is gone";
        }
        var meta = pv.getMetadata();
        String provisioner = meta.getAnnotations() == null ? null : meta.getAnnotations().get("pv.kubernetes.io/provisioned-by");
        String node = meta.getAnnotations() == null ? null : meta.getAnnotations().get(LocalPath.SELECTED_NODE_ANNOTATION);
        String path = pv.getSpec() == null || pv.getSpec().getHostPath() == null ? null : pv.getSpec().getHostPath().getPath();
        if (!LocalPath.PROVISIONER.equals(provisioner) || (node != null && !node.equals(nodeName))
                || path == null || !dir.getFileName().toString().equals(Path.of(path).getFileName().toString())) {
            return null; // not a volume of the provisioner on this node: not ours to judge
        }
        if ("Delete".equals(pv.getSpec().getPersistentVolumeReclaimPolicy()) && pv.getStatus() != null
                && "Released".equals(pv.getStatus().getPhase())) {
            return "its PersistentVolume is Released with reclaim policy Delete";
        }
        return null;
    }

    @Override
    public synchronized void close() {
        if (loop != null) {
            loop.shutdownNow();
            loop = null;
        }
    }
}
