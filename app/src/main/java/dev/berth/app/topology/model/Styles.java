package dev.berth.app.topology.model;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.util.Set;

/** Live state of objects: pure functions from an object to its health, summary and counts. */
final class Styles {
    private static final Set<String> FAILED_WAITING = Set.of("CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull",
            "CreateContainerConfigError", "CreateContainerError", "InvalidImageName", "RunContainerError");

    private Styles() {}

    static PodState pod(GenericKubernetesResource p, boolean nodeReady) {
        String phase = Fields.str(p, "status", "phase");
        boolean ready = "True".equals(Fields.condition(p, "Ready"));
        int restarts = 0;
        String probe = null;
        String waiting = null;
        java.util.Map<String, Object> specByName = new java.util.HashMap<>();
        for (Object c : Fields.list(p, "spec", "containers")) {
            specByName.put(Fields.str(c, "name"), c);
        }
        for (Object cs : Fields.list(p, "status", "containerStatuses")) {
            restarts += Fields.integer(cs, 0, "restartCount");
            String w = Fields.str(cs, "state", "waiting", "reason");
            if (w != null && (waiting == null || FAILED_WAITING.contains(w))) {
                waiting = w;
            }
            Object spec = specByName.get(Fields.str(cs, "name"));
            boolean running = Fields.at(cs, "state", "running") != null;
            boolean csReady = Boolean.TRUE.equals(Fields.at(cs, "ready"));
            if (running && !csReady && spec != null && Fields.at(spec, "readinessProbe") != null
                    && !Boolean.FALSE.equals(Fields.at(cs, "started"))) {
                probe = "readiness";
            }
            // the kubelet restarts a container whose liveness probe fails: a restart of a probed container counts
            if (spec != null && Fields.at(spec, "livenessProbe") != null && Fields.integer(cs, 0, "restartCount") > 0
                    && Fields.at(cs, "lastState", "terminated") != null) {
                probe = "liveness";
            }
        }
        return new PodState(phase == null ? "Pending" : phase, ready, restarts, probe, waiting,
                Fields.str(p, "spec", "nodeName"), nodeReady);
    }

    static Health podHealth(PodState s) {
        if (!s.nodeReady() || "Failed".equals(s.phase()) || s.waitingReason() != null && FAILED_WAITING.contains(s.waitingReason())) {
            return Health.FAILED;
        }
        return switch (s.phase()) {
            case "Succeeded" -> Health.OK;
            case "Running" -> s.ready() ? (s.failingProbe() != null ? Health.WARNING : Health.OK)
                    : s.failingProbe() != null ? Health.WARNING : Health.PROGRESSING;
            case "Pending" -> Health.PROGRESSING;
            default -> Health.UNKNOWN;
        };
    }

    static String podSummary(PodState s) {
        StringBuilder b = new StringBuilder(s.waitingReason() != null && !"Running".equals(s.phase()) ? s.waitingReason() : s.phase());
        if ("Running".equals(s.phase()) && !s.ready()) {
            b.append(", not ready");
        }
        if (s.failingProbe() != null) {
            b.append(", ").append(s.failingProbe()).append(" probe failing");
        }
        if (s.restarts() > 0) {
            b.append(", ").append(s.restarts()).append(s.restarts() == 1 ? " restart" : " restarts");
        }
        if (!s.nodeReady()) {
            b.append(", node ").append(s.node()).append(" NotReady");
        }
        return b.toString();
    }

    /** Replica counts of a workload or ReplicaSet; null for kinds without replicas. */
    static Rollout rollout(String kind, GenericKubernetesResource o) {
        return switch (kind) {
            case "Deployment", "StatefulSet", "ReplicaSet" -> new Rollout(Fields.integer(o, 1, "spec", "replicas"),
                    Fields.integer(o, 0, "status", "replicas"), Fields.integer(o, 0, "status", "readyReplicas"),
                    Fields.integer(o, kind.equals("ReplicaSet") ? Fields.integer(o, 0, "status", "replicas") : 0,
                            "status", "updatedReplicas"),
                    Rollout.Role.NONE);
            case "DaemonSet" -> new Rollout(Fields.integer(o, 0, "status", "desiredNumberScheduled"),
                    Fields.integer(o, 0, "status", "currentNumberScheduled"), Fields.integer(o, 0, "status", "numberReady"),
                    Fields.integer(o, 0, "status", "updatedNumberScheduled"), Rollout.Role.NONE);
            case "Job" -> new Rollout(Fields.integer(o, 1, "spec", "completions"), Fields.integer(o, 0, "status", "active"),
                    Fields.integer(o, 0, "status", "succeeded"), Fields.integer(o, 0, "status", "succeeded"), Rollout.Role.NONE);
            default -> null;
        };
    }

    static Health health(String kind, GenericKubernetesResource o, Rollout r) {
        switch (kind) {
            case "Deployment" -> {
                if ("ProgressDeadlineExceeded".equals(Fields.conditionReason(o, "Progressing"))) {
                    return Health.FAILED;
                }
                return replicasHealth(r);
            }
            case "StatefulSet", "ReplicaSet", "DaemonSet" -> {
                return replicasHealth(r);
            }
            case "Job" -> {
                if ("True".equals(Fields.condition(o, "Failed"))) {
                    return Health.FAILED;
                }
                return "True".equals(Fields.condition(o, "Complete")) ? Health.OK : Health.PROGRESSING;
            }
            case "PersistentVolumeClaim" -> {
                String phase = Fields.str(o, "status", "phase");
                return "Bound".equals(phase) ? Health.OK : "Lost".equals(phase) ? Health.FAILED : Health.PROGRESSING;
            }
            case "Node" -> {
                return "True".equals(Fields.condition(o, "Ready")) ? Health.OK : Health.FAILED;
            }
            default -> {
                return Health.OK;
            }
        }
    }

    private static Health replicasHealth(Rollout r) {
        if (r.desired() == 0 && r.current() == 0) {
            return Health.OK;
        }
        if (r.ready() >= r.desired() && r.current() == r.desired()) {
            return Health.OK;
        }
        return r.ready() == 0 && r.current() > 0 ? Health.WARNING : Health.PROGRESSING;
    }

    static String summary(String kind, GenericKubernetesResource o, Rollout r) {
        return switch (kind) {
            case "Deployment", "StatefulSet", "ReplicaSet", "DaemonSet" -> {
                String s = r.ready() + "/" + r.desired() + " ready";
                if (kind.equals("Deployment") && (r.updated() < r.desired() || r.current() > r.desired())) {
                    s += ", rolling out " + r.updated() + "/" + r.desired() + " updated";
                }
                if (r.role() == Rollout.Role.OLD) {
                    s += r.current() > 0 ? ", old: draining" : ", old";
                }
                yield s;
            }
            case "Job" -> r.ready() + "/" + r.desired() + " succeeded"
                    + (Fields.integer(o, 0, "status", "failed") > 0 ? ", " + Fields.integer(o, 0, "status", "failed") + " failed" : "");
            case "CronJob" -> Fields.str(o, "spec", "schedule") + ", " + Fields.list(o, "status", "active").size() + " active";
            case "Service" -> {
                String type = Fields.str(o, "spec", "type");
                String ip = Fields.str(o, "spec", "clusterIP");
                yield (type == null ? "ClusterIP" : type) + (ip == null ? "" : " " + ip);
            }
            case "Ingress" -> {
                String host = Fields.str(o, "spec", "rules", 0, "host");
                yield host == null ? "any host" : host;
            }
            case "ConfigMap" -> Fields.map(o, "data").size() + Fields.map(o, "binaryData").size() + " keys";
            case "Secret" -> {
                String t = Fields.str(o, "type");
                yield t == null ? "Opaque" : t;
            }
            case "PersistentVolumeClaim" -> {
                String phase = Fields.str(o, "status", "phase");
                String size = Fields.str(o, "spec", "resources", "requests", "storage");
                yield (phase == null ? "Pending" : phase) + (size == null ? "" : ", " + size);
            }
            case "Node" -> ("True".equals(Fields.condition(o, "Ready")) ? "Ready" : "NotReady")
                    + (Boolean.TRUE.equals(Fields.at(o, "spec", "unschedulable")) ? ", SchedulingDisabled" : "");
            default -> "";
        };
    }
}
