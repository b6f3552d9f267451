/**
 * The ReplicaSet and ReplicationController controllers: one reconciler core
 * ({@link dev.berth.core.controller.replicaset.ReplicaSetReconciler}) over the two kinds
 * ({@link dev.berth.core.controller.replicaset.ReplicaKind}), keeping each one's active pods at
 * its replicas with adoption, expectations, slow-start creation and least-useful-first deletion.
 */
package dev.berth.core.controller.replicaset;
