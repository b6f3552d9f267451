package dev.berth.app.topology.compose;

import dev.berth.core.api.FieldError;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;

/**
 * A ConfigMap or Secret dropped onto a container: either its keys as environment variables
 * ({@code envFrom}), or a volume of it mounted read-only, by default at
 * {@code /etc/config/<name>} (ConfigMap) or {@code /etc/secrets/<name>} (Secret).
 */
public final class AttachConfig implements Command<Void> {
    public enum Mode { ENVIRONMENT, VOLUME }

    private final DraftKey workload;
    private final String container;
    private final DraftKey config;
    private final Mode mode;
    private final String mountPath;

    /** @param mountPath where to mount in {@link Mode#VOLUME}; null for the default */
    public AttachConfig(DraftKey workload, String container, DraftKey config, Mode mode, String mountPath) {
        this.workload = workload;
        this.container = container;
        this.config = config;
        this.mode = mode;
        this.mountPath = mountPath;
    }

    public static String defaultMountPath(DraftKey config) {
        return (config.kind().equals("Secret") ? "/etc/secrets/" : "/etc/config/") + config.name();
    }

    @Override
    public String name() {
        return (mode == Mode.ENVIRONMENT ? "Use " : "Mount ") + config.shortName() + " in container " + container;
    }

    @Override
    public Void execute(DraftSet drafts) {
        boolean secret = config.kind().equals("Secret");
        if (!secret && !config.kind().equals("ConfigMap")) {
            throw new CompositionException(config, FieldError.notSupported("kind", config.kind(), java.util.List.of("ConfigMap", "Secret")));
        }
        if (!config.namespace().equals(workload.namespace())) {
            throw new CompositionException(workload, FieldError.invalid("metadata.namespace", config.namespace(),
                    "a pod can only use a " + config.kind() + " of its own namespace (" + workload.namespace() + ")"));
        }
        drafts.require(config);
        Workload w = Workload.of(drafts, workload);
        Container c = w.container(container);
        String cpath = w.containerPath(container);
        if (mode == Mode.ENVIRONMENT) {
            if (c.getEnvFrom() == null) c.setEnvFrom(new ArrayList<>());
            for (EnvFromSource s : c.getEnvFrom()) {
                String n = secret ? s.getSecretRef() == null ? null : s.getSecretRef().getName()
                        : s.getConfigMapRef() == null ? null : s.getConfigMapRef().getName();
                if (config.name().equals(n)) {
                    throw new CompositionException(workload, FieldError.duplicate(cpath + ".envFrom", config.name()));
                }
            }
            EnvFromSourceBuilder b = new EnvFromSourceBuilder();
            c.getEnvFrom().add(secret ? b.withNewSecretRef().withName(config.name()).endSecretRef().build()
                    : b.withNewConfigMapRef().withName(config.name()).endConfigMapRef().build());
            Checks.fields(w.object(), cpath + ".envFrom");
        } else {
            String path = mountPath == null || mountPath.isBlank() ? defaultMountPath(config) : mountPath;
            VolumeBuilder vb = new VolumeBuilder().withName(volumeName(w, config.name()));
            Volume v = secret ? vb.withNewSecret().withSecretName(config.name()).endSecret().build()
                    : vb.withNewConfigMap().withName(config.name()).endConfigMap().build();
            mount(w, c, cpath, v, path, true);
        }
        drafts.put(w.generic());
        return null;
    }

    /** Adds the volume to the pod and mounts it in the container; refuses a path the container already mounts. */
    static void mount(Workload w, Container c, String cpath, Volume v, String path, boolean readOnly) {
        if (c.getVolumeMounts() == null) c.setVolumeMounts(new ArrayList<>());
        if (!path.startsWith("/")) {
            throw new CompositionException(w.key(), FieldError.invalid(cpath + ".volumeMounts[" + c.getVolumeMounts().size()
                    + "].mountPath", path, "must be an absolute path"));
        }
        for (var m : c.getVolumeMounts()) {
            if (path.equals(m.getMountPath())) {
                throw new CompositionException(w.key(), FieldError.invalid(cpath + ".volumeMounts[" + c.getVolumeMounts().indexOf(m)
                        + "].mountPath", path, "must be unique: volume \"" + m.getName() + "\" is mounted there"));
            }
        }
        if (w.podSpec().getVolumes() == null) w.podSpec().setVolumes(new ArrayList<>());
        w.podSpec().getVolumes().add(v);
        c.getVolumeMounts().add(new VolumeMountBuilder().withName(v.getName()).withMountPath(path)
                .withReadOnly(readOnly ? Boolean.TRUE : null).build());
        Checks.fields(w.object(), w.podSpecPath() + ".volumes", cpath + ".volumeMounts");
    }

    /** A volume name from {@code base}, unique in the pod. */
    static String volumeName(Workload w, String base) {
        Set<String> taken = new HashSet<>();
        if (w.podSpec().getVolumes() != null) {
            w.podSpec().getVolumes().forEach(v -> taken.add(v.getName()));
        }
        return Names.unique(Names.label(base, "volume"), taken);
    }
}
