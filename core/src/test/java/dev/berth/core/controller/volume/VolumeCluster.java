package dev.berth.core.controller.volume;

import dev.berth.core.controller.TestCluster;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.volume.localpath.LocalPathProvisioner;
import dev.berth.core.controller.volume.persistentvolume.PersistentVolumes;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/** A test API server running the PersistentVolume controller and the local-path provisioner. */
public final class VolumeCluster implements AutoCloseable {
    private final TestCluster cluster;
    private final ControllerContext context;
    private final PersistentVolumes binder;
    private final LocalPathProvisioner provisioner;

    public VolumeCluster(Path dir) throws Exception {
        cluster = new TestCluster(dir);
        context = ControllerContext.create(cluster.client(), Clock.systemUTC(), "persistentvolume-controller");
        binder = new PersistentVolumes(context);
        provisioner = new LocalPathProvisioner(context);
        binder.start();
        provisioner.start();
        context.informers().start();
        await().atMost(Duration.ofSeconds(20)).until(() -> binder.isReady() && provisioner.isReady());
    }

    public TestCluster cluster() {
        return cluster;
    }

    public KubernetesClient client() {
        return cluster.client();
    }

    public PersistentVolume volume(String name) {
        return client().persistentVolumes().withName(name).get();
    }

    public PersistentVolumeClaim claim(String ns, String name) {
        return client().persistentVolumeClaims().inNamespace(ns).withName(name).get();
    }

    public PersistentVolume createVolume(String name, String size, String cls, String reclaim, Map<String, String> labels,
                                         String... modes) {
        return client().persistentVolumes().resource(new PersistentVolumeBuilder()
                .withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withCapacity(Map.of("storage", new Quantity(size))).withAccessModes(modes)
                .withStorageClassName(cls).withPersistentVolumeReclaimPolicy(reclaim)
                .withNewHostPath().withPath("/srv/" + name).endHostPath().endSpec()
                .build()).create();
    }

    public PersistentVolumeClaimBuilder claimBuilder(String ns, String name, String size, String cls, String... modes) {
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withAccessModes(modes).withStorageClassName(cls)
                .withNewResources().addToRequests("storage", new Quantity(size)).endResources().endSpec();
    }

    public PersistentVolumeClaim createClaim(String ns, String name, String size, String cls, String... modes) {
        return client().persistentVolumeClaims().inNamespace(ns)
                .resource(claimBuilder(ns, name, size, cls, modes).build()).create();
    }

    /** The Events about the object named {@code name} in {@code ns} with {@code reason}. */
    public List<Event> events(String ns, String name, String reason) {
        return client().v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
                .toList();
    }

    @Override
    public void close() {
        provisioner.close();
        binder.close();
        context.informers().close();
        if (context.events() instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        cluster.close();
    }
}
