package dev.berth.app.cluster;

import io.fabric8.kubernetes.api.model.NamedAuthInfo;
import io.fabric8.kubernetes.api.model.NamedCluster;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kubeconfig contexts a person has: the files of {@code $KUBECONFIG} (separated by the
 * platform's path separator) or {@code ~/.kube/config}, read with fabric8's own kubeconfig parser.
 */
public final class KubeContexts {
    /** Name of the context the app adds for its own control plane. */
    public static final String BERTH_CONTEXT = "berth";

    /** A context and the file it comes from. */
    public record Context(String name, String cluster, String user, String namespace, Path file) {}

    private KubeContexts() {}

    /** The kubeconfig files in the order kubectl reads them. */
    public static List<Path> files(Map<String, String> env, String userHome) {
        String kc = env.get("KUBECONFIG");
        List<Path> out = new ArrayList<>();
        if (kc != null && !kc.isBlank()) {
            for (String p : kc.split(File.pathSeparator)) {
                if (!p.isBlank()) {
                    out.add(Path.of(p));
                }
            }
        } else {
            out.add(Path.of(userHome, ".kube", "config"));
        }
        return out;
    }

    /** Every context of the readable files; the first file that names a context wins, as with kubectl. */
    public static List<Context> list(List<Path> files) {
        Map<String, Context> byName = new LinkedHashMap<>();
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                continue;
            }
            io.fabric8.kubernetes.api.model.Config config;
            try {
                config = KubeConfigUtils.parseConfig(f.toFile());
            } catch (RuntimeException e) {
                continue;   // an unreadable file is shown as missing contexts, like kubectl config get-contexts
            }
            if (config.getContexts() == null) {
                continue;
            }
            for (NamedContext c : config.getContexts()) {
                if (c.getName() == null || c.getContext() == null || byName.containsKey(c.getName())) {
                    continue;
                }
                byName.put(c.getName(), new Context(c.getName(), c.getContext().getCluster(), c.getContext().getUser(),
                        c.getContext().getNamespace(), f));
            }
        }
        return List.copyOf(byName.values());
    }

    /**
     * Adds (or replaces) the cluster, user and context named {@code berth} in {@code target}, copied
     * from the control plane's admin kubeconfig; other entries and the current context are kept.
     * The file is written with mode 0600 where the platform has POSIX permissions.
     */
    public static void addBerthContext(Path target, Path adminKubeconfig) {
        if (!Files.isRegularFile(adminKubeconfig)) {
            throw new IllegalStateException("admin kubeconfig " + adminKubeconfig
                    + " does not exist: the control plane has not started yet");
        }
        io.fabric8.kubernetes.api.model.Config admin = KubeConfigUtils.parseConfig(adminKubeconfig.toFile());
        NamedContext adminContext = admin.getContexts().getFirst();
        NamedCluster cluster = admin.getClusters().stream()
                .filter(c -> c.getName().equals(adminContext.getContext().getCluster())).findFirst().orElseThrow();
        NamedAuthInfo user = admin.getUsers().stream()
                .filter(u -> u.getName().equals(adminContext.getContext().getUser())).findFirst().orElseThrow();
        io.fabric8.kubernetes.api.model.Config config;
        if (Files.isRegularFile(target)) {
            config = KubeConfigUtils.parseConfig(target.toFile());
        } else {
            config = new io.fabric8.kubernetes.api.model.ConfigBuilder().withApiVersion("v1").withKind("Config").build();
        }
        List<NamedCluster> clusters = new ArrayList<>(config.getClusters() == null ? List.of() : config.getClusters());
        clusters.removeIf(c -> BERTH_CONTEXT.equals(c.getName()));
        clusters.add(new io.fabric8.kubernetes.api.model.NamedClusterBuilder().withName(BERTH_CONTEXT)
                .withCluster(cluster.getCluster()).build());
        List<NamedAuthInfo> users = new ArrayList<>(config.getUsers() == null ? List.of() : config.getUsers());
        users.removeIf(u -> BERTH_CONTEXT.equals(u.getName()));
        users.add(new io.fabric8.kubernetes.api.model.NamedAuthInfoBuilder().withName(BERTH_CONTEXT)
                .withUser(user.getUser()).build());
        List<NamedContext> contexts = new ArrayList<>(config.getContexts() == null ? List.of() : config.getContexts());
        contexts.removeIf(c -> BERTH_CONTEXT.equals(c.getName()));
        contexts.add(new io.fabric8.kubernetes.api.model.NamedContextBuilder().withName(BERTH_CONTEXT)
                .withNewContext().withCluster(BERTH_CONTEXT).withUser(BERTH_CONTEXT).endContext().build());
        config.setClusters(clusters);
        config.setUsers(users);
        config.setContexts(contexts);
        if (config.getCurrentContext() == null || config.getCurrentContext().isEmpty()) {
            config.setCurrentContext(BERTH_CONTEXT);
        }
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            if (!Files.exists(target)) {
                Files.createFile(target);
            }
            try {
                Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            KubeConfigUtils.persistKubeConfigIntoFile(config, target.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}
