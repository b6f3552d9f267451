package dev.berth.app.metrics;

/** Whose use a series measures: a Node, a Pod, or a workload (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job). */
public record SeriesKey(String kind, String namespace, String name) {
    public SeriesKey {
        namespace = namespace == null ? "" : namespace;
    }

    public static SeriesKey node(String name) {
        return new SeriesKey("Node", "", name);
    }

    public static SeriesKey pod(String namespace, String name) {
        return new SeriesKey("Pod", namespace, name);
    }
}
