package dev.berth.app.topology.compose;

import dev.berth.core.api.FieldError;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;

/**
 * A PersistentVolumeClaim dropped onto a container: a volume of the claim in the pod, mounted in
 * the container (read-write) at the path given, by default {@code /data/<claim>}.
 */
public final class AttachClaim implements Command<Void> {
    private final DraftKey workload;
    private final String container;
    private final DraftKey claim;
    private final String mountPath;

    public AttachClaim(DraftKey workload, String container, DraftKey claim, String mountPath) {
        this.workload = workload;
        this.container = container;
        this.claim = claim;
        this.mountPath = mountPath;
    }

    public static String defaultMountPath(DraftKey claim) {
        return "/data/" + claim.name();
    }

    @Override
    public String name() {
        return "Mount " + claim.shortName() + " in container " + container;
    }

    @Override
    public Void execute(DraftSet drafts) {
        if (!claim.kind().equals("PersistentVolumeClaim")) {
            throw new CompositionException(claim, FieldError.notSupported("kind", claim.kind(), java.util.List.of("PersistentVolumeClaim")));
        }
        if (!claim.namespace().equals(workload.namespace())) {
            throw new CompositionException(workload, FieldError.invalid("metadata.namespace", claim.namespace(),
                    "a pod can only use a claim of its own namespace (" + workload.namespace() + ")"));
        }
        drafts.require(claim);
        Workload w = Workload.of(drafts, workload);
        if (w.podSpec().getVolumes() != null) {
            for (Volume v : w.podSpec().getVolumes()) {
                if (v.getPersistentVolumeClaim() != null && claim.name().equals(v.getPersistentVolumeClaim().getClaimName())) {
                    throw new CompositionException(workload, FieldError.duplicate(w.podSpecPath() + ".volumes", claim.name()));
                }
            }
        }
        Container c = w.container(container);
        String path = mountPath == null || mountPath.isBlank() ? defaultMountPath(claim) : mountPath;
        Volume v = new VolumeBuilder().withName(AttachConfig.volumeName(w, claim.name()))
                .withNewPersistentVolumeClaim().withClaimName(claim.name()).endPersistentVolumeClaim().build();
        AttachConfig.mount(w, c, w.containerPath(container), v, path, false);
        drafts.put(w.generic());
        return null;
    }
}
