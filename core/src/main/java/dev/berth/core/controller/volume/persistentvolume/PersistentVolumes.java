package dev.berth.core.controller.volume.persistentvolume;

import dev.berth.core.controller.runtime.Component;
import dev.berth.core.controller.runtime.ControlLoop;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.controller.runtime.Keys;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

import java.util.List;

/**
 * The PersistentVolume controller: one loop syncs claims, one syncs volumes, each with one worker
 * as Kubernetes' (so two claims never race for one volume inside this process).
 */
public final class PersistentVolumes implements Component {
    /** Index of volumes by the {@code namespace/name} of the claim their claimRef names. */
    static final String BY_CLAIM = "persistentvolume-claimRef";

    /** How long a reconcile waits for the caches to fill before it looks again. */
    static final java.time.Duration SYNC_WAIT = java.time.Duration.ofMillis(200);

    private final Informers informers;
    private final ControlLoop claims;
    private final ControlLoop volumes;

    public PersistentVolumes(ControllerContext context) {
        this.informers = context.informers();
        this.claims = new ControlLoop("persistentvolume-binder-claims", context, new ClaimReconciler(context), 1);
        this.volumes = new ControlLoop("persistentvolume-binder-volumes", context,
                new VolumeReconciler(context, this.claims::enqueue), 1);
        informers.indexed(PersistentVolume.class, BY_CLAIM, v -> {
            var ref = v.getSpec() == null ? null : v.getSpec().getClaimRef();
            return ref == null ? List.of() : List.of(Keys.of(ref.getNamespace(), ref.getName()));
        });
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
                // its volume is released
                String name = claim.getSpec() == null ? null : claim.getSpec().getVolumeName();
                if (name != null && !name.isEmpty()) {
                    volumes.enqueue(name);
                }
                informers.of(PersistentVolume.class).getIndexer().byIndex(BY_CLAIM, Keys.of(claim))
                        .forEach(volumes::enqueue);
            }
        });
        informers.of(PersistentVolume.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(PersistentVolume volume) {
                changed(volume);
            }

            @Override
            public void onUpdate(PersistentVolume oldVolume, PersistentVolume volume) {
                changed(volume);
            }

            @Override
            public void onDelete(PersistentVolume volume, boolean deletedFinalStateUnknown) {
                // a claim bound to it is lost
                var ref = volume.getSpec() == null ? null : volume.getSpec().getClaimRef();
                if (ref != null) {
                    claims.enqueue(Keys.of(ref.getNamespace(), ref.getName()));
                }
            }
        });
        informers.of(StorageClass.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(StorageClass sc) {
                enqueueUnboundClaims();
            }

            @Override
            public void onUpdate(StorageClass oldSc, StorageClass sc) {
                enqueueUnboundClaims();
            }

            @Override
            public void onDelete(StorageClass sc, boolean deletedFinalStateUnknown) {
            }
        });
    }

    private void changed(PersistentVolume volume) {
        volumes.enqueue(volume);
        var ref = volume.getSpec() == null ? null : volume.getSpec().getClaimRef();
        if (ref != null) {
            claims.enqueue(Keys.of(ref.getNamespace(), ref.getName()));
        } else if ("Available".equals(VolumeMatcher.phase(volume))) {
            // a volume that became available may serve a claim waiting for one
            enqueueUnboundClaims();
        }
    }

    private void enqueueUnboundClaims() {
        for (PersistentVolumeClaim c : informers.list(PersistentVolumeClaim.class)) {
            if (c.getStatus() == null || !"Bound".equals(c.getStatus().getPhase())) {
                claims.enqueue(c);
            }
        }
    }

    /** True once the caches of volumes, claims and classes have listed their objects. */
    static boolean cachesSynced(Informers informers) {
        return informers.of(PersistentVolume.class).hasSynced() && informers.of(PersistentVolumeClaim.class).hasSynced()
                && informers.of(StorageClass.class).hasSynced();
    }

    @Override
    public String name() {
        return "persistentvolume-binder";
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
