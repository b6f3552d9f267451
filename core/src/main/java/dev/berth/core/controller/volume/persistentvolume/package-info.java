/**
 * The PersistentVolume controller, as Kubernetes' {@code pkg/controller/volume/persistentvolume}:
 * binds claims to volumes (smallest fit, pre-bound claims and volumes), keeps the phases of both,
 * asks external provisioners for volumes through the {@code volume.kubernetes.io/storage-provisioner}
 * annotation, and reclaims released volumes by their reclaim policy.
 */
package dev.berth.core.controller.volume.persistentvolume;
