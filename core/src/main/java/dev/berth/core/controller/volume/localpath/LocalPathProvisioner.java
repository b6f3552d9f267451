package dev.berth.core.controller.volume.localpath;

import dev.berth.core.controller.runtime.Component;
import dev.berth.core.controller.runtime.ControlLoop;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.controller.volume.persistentvolume.VolumeAnnotations;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

import java.util.function.Predicate;

/** The local-path provisioner: a loop provisioning claims and a loop deleting released volumes. */
public final class LocalPathProvisioner implements Component {
    /** How long a reconcile waits for the caches to fill before it looks again. */
    static final java.time.Duration SYNC_WAIT = java.time.Duration.ofMillis(200);

    private final Informers informers;
    private final ControlLoop claims;
    private final ControlLoop volumes;

    public LocalPathProvisioner(ControllerContext context) {
        this.informers = context.informers();
        this.claims = new ControlLoop("local-path-provisioner", context, new ProvisionReconciler(context), 1);
        this.volumes = new ControlLoop("local-path-deleter", context, new DeleteReconciler(context), 1);
        informers.of(PersistentVolumeClaim.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(PersistentVolumeClaim claim) {
                claims.enqueue(claim);
            }

            @Override
            public void onUpdate(PersistentVolumeClaim oldClaim, PersistentVolumeClaim claim) {
                claims.enqueue(claim);
            }

            @Override
            public void onDelete(PersistentVolumeClaim claim, boolean deletedFinalStateUnknown) {
            }
        });
        informers.of(PersistentVolume.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(PersistentVolume volume) {
                volumes.enqueue(volume);
            }

            @Override
            public void onUpdate(PersistentVolume oldVolume, PersistentVolume volume) {
                volumes.enqueue(volume);
            }

            @Override
            public void onDelete(PersistentVolume volume, boolean deletedFinalStateUnknown) {
            }
        });
        informers.of(Node.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                String name = node.getMetadata().getName();
                enqueueClaims(c -> name.equals(VolumeAnnotations.annotation(c, VolumeAnnotations.SELECTED_NODE)));
            }

            @Override
            public void onUpdate(Node oldNode, Node node) {
            }

            @Override
            public void onDelete(Node node, boolean deletedFinalStateUnknown) {
            }
        });
        informers.of(StorageClass.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(StorageClass sc) {
                String name = sc.getMetadata().getName();
                enqueueClaims(c -> name.equals(VolumeAnnotations.claimClass(c)));
            }

            @Override
            public void onUpdate(StorageClass oldSc, StorageClass sc) {
                onAdd(sc);
            }

            @Override
            public void onDelete(StorageClass sc, boolean deletedFinalStateUnknown) {
            }
        });
    }

    private void enqueueClaims(Predicate<PersistentVolumeClaim> which) {
        for (PersistentVolumeClaim c : informers.list(PersistentVolumeClaim.class)) {
            if (which.test(c)) {
                claims.enqueue(c);
            }
        }
    }

    /** True once the caches of volumes, claims, classes and nodes have listed their objects. */
    static boolean cachesSynced(Informers informers) {
        return informers.of(PersistentVolume.class).hasSynced() && informers.of(PersistentVolumeClaim.class).hasSynced()
                && informers.of(StorageClass.class).hasSynced() && informers.of(Node.class).hasSynced();
    }

    @Override
    public String name() {
        return "local-path-provisioner";
    }

    @Override
    public void start() {
        claims.start();
        volumes.start();
    }

    @Override
    public boolean isReady() {
        return claims.isReady() && volumes.isReady();
    }

    @Override
    public void close() {
        volumes.close();
        claims.close();
    }
}
