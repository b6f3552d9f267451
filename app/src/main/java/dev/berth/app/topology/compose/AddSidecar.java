package dev.berth.app.topology.compose;

import dev.berth.core.api.FieldError;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;

import java.util.ArrayList;
import java.util.List;

/**
 * An image dropped onto a pod or a workload: one more container in its pod template. Containers of
 * a pod share its network (they reach each other on localhost); the sidecar also mounts every
 * volume the first container mounts, at the same paths, so they share files too. Its name comes
 * from the image and is unique among the pod's containers and init containers.
 */
public final class AddSidecar implements Command<String> {
    private final DraftKey workload;
    private final String image;

    public AddSidecar(DraftKey workload, String image) {
        this.workload = workload;
        this.image = image == null ? "" : image;
    }

    @Override
    public String name() {
        return "Add container " + image + " to " + workload.shortName();
    }

    /** Answers the new container's name. */
    @Override
    public String execute(DraftSet drafts) {
        Workload w = Workload.of(drafts, workload);
        String path = w.podSpecPath() + ".containers[" + w.containers().size() + "]";
        if (image.isBlank()) {
            throw new CompositionException(workload, FieldError.required(path + ".image", "an image is needed"));
        }
        String name = Names.unique(Names.fromImage(image), w.containerNames());
        List<VolumeMount> shared = new ArrayList<>();
        if (!w.containers().isEmpty() && w.containers().getFirst().getVolumeMounts() != null) {
            for (VolumeMount m : w.containers().getFirst().getVolumeMounts()) {
                shared.add(new io.fabric8.kubernetes.api.model.VolumeMountBuilder(m).build());
            }
        }
        Container sidecar = new ContainerBuilder().withName(name).withImage(image).withVolumeMounts(shared).build();
        w.containers().add(sidecar);
        Checks.fields(w.object(), path);
        drafts.put(w.generic());
        return name;
    }
}
