package dev.berth.app.topology.model;

/** Why two elements are joined. */
public enum EdgeType {
    /** Ingress → Service: a rule's backend or the default backend. */
    ROUTES,
    /** Service → workload or standalone Pod: the Service's selector matches the pod template's labels. */
    SELECTS,
    /** Service → Pod: the pod is an endpoint of the Service (EndpointSlices); {@code ready} from its condition. */
    ENDPOINT,
    /** Owner → owned (ownerReferences with controller: Deployment → ReplicaSet → Pod, CronJob → Job → Pod). */
    OWNS,
    /** Pod template → ConfigMap (env, envFrom, volumes, projected volumes). */
    USES_CONFIG_MAP,
    /** Pod template → Secret (env, envFrom, volumes, projected volumes). */
    USES_SECRET,
    /** Pod template → PersistentVolumeClaim (a volume). */
    MOUNTS
}
