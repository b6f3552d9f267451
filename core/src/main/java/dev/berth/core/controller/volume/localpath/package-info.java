/**
 * A dynamic provisioner of node-local volumes, like k3s's local-path-provisioner: for a claim of a
 * class whose provisioner is {@code berth.dev/local-path}, once the scheduler has chosen a node
 * ({@code volume.kubernetes.io/selected-node}), it creates a PersistentVolume recording that node
 * (required node affinity) and a directory path under {@code /var/lib/berth/storage}; it deletes the
 * volumes it created once they are Released with reclaim policy Delete. The node agent creates
 * the directory when a pod first mounts the volume and removes directories no volume names.
 */
package dev.berth.core.controller.volume.localpath;
