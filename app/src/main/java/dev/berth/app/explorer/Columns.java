package dev.berth.app.explorer;

import dev.berth.app.cluster.ResourceKind;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The columns each kind shows beside name, namespace and age, as kubectl get prints them.
 */
public final class Columns {
    public record Column(String title, Function<GenericKubernetesResource, String> value) {}

    private Columns() {}

    public static List<Column> of(ResourceKind kind) {
        return switch (kind.kind()) {
            case "Pod" -> List.of(
                    new Column("Ready", Columns::podReady),
                    new Column("Status", Columns::podStatus),
                    new Column("Restarts", Columns::podRestarts),
                    new Column("Node", o -> str(o, "spec", "nodeName")),
                    new Column("IP", o -> str(o, "status", "podIP")));
            case "Deployment" -> List.of(
                    new Column("Ready", o -> num(o, "status", "readyReplicas") + "/" + num(o, "spec", "replicas")),
                    new Column("Up-to-date", o -> String.valueOf(num(o, "status", "updatedReplicas"))),
                    new Column("Available", o -> String.valueOf(num(o, "status", "availableReplicas"))));
            case "StatefulSet" -> List.of(
                    new Column("Ready", o -> num(o, "status", "readyReplicas") + "/" + num(o, "spec", "replicas")));
            case "ReplicaSet" -> List.of(
                    new Column("Desired", o -> String.valueOf(num(o, "spec", "replicas"))),
                    new Column("Current", o -> String.valueOf(num(o, "status", "replicas"))),
                    new Column("Ready", o -> String.valueOf(num(o, "status", "readyReplicas"))));
            case "DaemonSet" -> List.of(
                    new Column("Desired", o -> String.valueOf(num(o, "status", "desiredNumberScheduled"))),
                    new Column("Current", o -> String.valueOf(num(o, "status", "currentNumberScheduled"))),
                    new Column("Ready", o -> String.valueOf(num(o, "status", "numberReady"))));
            case "Job" -> List.of(
                    new Column("Completions", o -> num(o, "status", "succeeded") + "/"
                            + (o.get("spec", "completions") == null ? 1 : num(o, "spec", "completions"))),
                    new Column("Status", Columns::jobStatus));
            case "CronJob" -> List.of(
                    new Column("Schedule", o -> str(o, "spec", "schedule")),
                    new Column("Suspend", o -> String.valueOf(Boolean.TRUE.equals(o.get("spec", "suspend")))),
                    new Column("Active", o -> String.valueOf(size(o.get("status", "active")))),
                    new Column("Last schedule", o -> str(o, "status", "lastScheduleTime")));
            case "Service" -> List.of(
                    new Column("Type", o -> str(o, "spec", "type")),
                    new Column("Cluster-IP", o -> str(o, "spec", "clusterIP")),
                    new Column("Ports", Columns::servicePorts));
            case "Endpoints" -> List.of(new Column("Endpoints", Columns::endpoints));
            case "Ingress" -> List.of(
                    new Column("Class", o -> str(o, "spec", "ingressClassName")),
                    new Column("Hosts", Columns::ingressHosts));
            case "NetworkPolicy" -> List.of(new Column("Pod selector", o -> selector(o.get("spec", "podSelector", "matchLabels"))));
            case "ConfigMap" -> List.of(new Column("Data", o -> String.valueOf(size(o.get("data")) + size(o.get("binaryData")))));
            case "Secret" -> List.of(
                    new Column("Type", o -> str(o, "type")),
                    new Column("Data", o -> String.valueOf(size(o.get("data")))));
            case "HorizontalPodAutoscaler" -> List.of(
                    new Column("Reference", o -> str(o, "spec", "scaleTargetRef", "kind") + "/" + str(o, "spec", "scaleTargetRef", "name")),
                    new Column("Replicas", o -> String.valueOf(num(o, "status", "currentReplicas"))));
            case "PersistentVolumeClaim" -> List.of(
                    new Column("Status", o -> str(o, "status", "phase")),
                    new Column("Volume", o -> str(o, "spec", "volumeName")),
                    new Column("Capacity", o -> str(o, "status", "capacity", "storage")),
                    new Column("Storage class", o -> str(o, "spec", "storageClassName")));
            case "PersistentVolume" -> List.of(
                    new Column("Capacity", o -> str(o, "spec", "capacity", "storage")),
                    new Column("Status", o -> str(o, "status", "phase")),
                    new Column("Claim", o -> o.get("spec", "claimRef") == null ? ""
                            : str(o, "spec", "claimRef", "namespace") + "/" + str(o, "spec", "claimRef", "name")));
            case "StorageClass" -> List.of(new Column("Provisioner", o -> str(o, "provisioner")));
            case "Node" -> List.of(
                    new Column("Status", Columns::nodeStatus),
                    new Column("Roles", Columns::nodeRoles),
                    new Column("Version", o -> str(o, "status", "nodeInfo", "kubeletVersion")),
                    new Column("CPU", o -> str(o, "status", "capacity", "cpu")),
                    new Column("Memory", o -> str(o, "status", "capacity", "memory")));
            case "Namespace" -> List.of(new Column("Status", o -> str(o, "status", "phase")));
            case "RoleBinding", "ClusterRoleBinding" -> List.of(
                    new Column("Role", o -> str(o, "roleRef", "kind") + "/" + str(o, "roleRef", "name")));
            case "Event" -> List.of(
                    new Column("Type", o -> str(o, "type")),
                    new Column("Reason", o -> str(o, "reason")),
                    new Column("Object", o -> str(o, "involvedObject", "kind").toLowerCase(Locale.ROOT) + "/"
                            + str(o, "involvedObject", "name")),
                    new Column("Message", o -> str(o, "message")),
                    new Column("Count", o -> String.valueOf(Math.max(1, num(o, "count")))),
                    new Column("Last seen", o -> {
                        String t = str(o, "lastTimestamp");
                        return t.isEmpty() ? str(o, "eventTime") : t;
                    }));
            case "CustomResourceDefinition" -> List.of(
                    new Column("Group", o -> str(o, "spec", "group")),
                    new Column("Kind", o -> str(o, "spec", "names", "kind")),
                    new Column("Scope", o -> str(o, "spec", "scope")));
            default -> List.of();
        };
    }

    /** The row of {@code o}: its cells computed once. */
    public static Row row(ResourceKind kind, List<Column> columns, GenericKubernetesResource o) {
        String[] cells = new String[columns.size()];
        StringBuilder hay = new StringBuilder(64);
        String ns = o.getMetadata().getNamespace() == null ? "" : o.getMetadata().getNamespace();
        String name = o.getMetadata().getName();
        hay.append(name).append(' ').append(ns);
        for (int i = 0; i < cells.length; i++) {
            String v;
            try {
                v = columns.get(i).value().apply(o);
            } catch (RuntimeException e) {
                v = "";   // an object of an unexpected shape shows an empty cell, never a broken table
            }
            cells[i] = v == null ? "" : v;
            hay.append(' ').append(cells[i]);
        }
        long created = 0;
        String ts = o.getMetadata().getCreationTimestamp();
        if (ts != null) {
            try {
                created = Instant.parse(ts).getEpochSecond();
            } catch (RuntimeException ignored) {
                // left 0: shown as unknown age
            }
        }
        Map<String, String> labels = o.getMetadata().getLabels() == null ? Map.of() : o.getMetadata().getLabels();
        return new Row(Row.keyOf(o), ns, name, labels, cells, created, hay.toString().toLowerCase(Locale.ROOT), o);
    }

    static String str(GenericKubernetesResource o, Object... path) {
        Object v = o.get(path);
        return v == null ? "" : v.toString();
    }

    static long num(GenericKubernetesResource o, Object... path) {
        Object v = o.get(path);
        return v instanceof Number n ? n.longValue() : 0;
    }

    private static int size(Object v) {
        return v instanceof Map<?, ?> m ? m.size() : v instanceof List<?> l ? l.size() : 0;
    }

    static String podReady(GenericKubernetesResource o) {
        List<Map<String, Object>> statuses = o.get("status", "containerStatuses");
        List<?> containers = o.get("spec", "containers");
        int ready = 0;
        if (statuses != null) {
            for (Map<String, Object> s : statuses) {
                if (Boolean.TRUE.equals(s.get("ready"))) {
                    ready++;
                }
            }
        }
        return ready + "/" + (containers == null ? 0 : containers.size());
    }

    static String podRestarts(GenericKubernetesResource o) {
        List<Map<String, Object>> statuses = o.get("status", "containerStatuses");
        long n = 0;
        if (statuses != null) {
            for (Map<String, Object> s : statuses) {
                if (s.get("restartCount") instanceof Number r) {
                    n += r.longValue();
                }
            }
        }
        return String.valueOf(n);
    }

    /** kubectl's STATUS: a waiting or terminated container's reason over the phase; Terminating when deleted. */
    @SuppressWarnings("unchecked")
    public static String podStatus(GenericKubernetesResource o) {
        String reason = str(o, "status", "reason");
        String status = reason.isEmpty() ? str(o, "status", "phase") : reason;
        List<Map<String, Object>> statuses = o.get("status", "containerStatuses");
        if (statuses != null) {
            for (Map<String, Object> s : statuses) {
                Map<String, Object> state = (Map<String, Object>) s.get("state");
                if (state == null) {
                    continue;
                }
                Map<String, Object> waiting = (Map<String, Object>) state.get("waiting");
                Map<String, Object> terminated = (Map<String, Object>) state.get("terminated");
                if (waiting != null && waiting.get("reason") != null && !"".equals(waiting.get("reason"))) {
                    status = waiting.get("reason").toString();
                } else if (terminated != null && terminated.get("reason") != null && !"Completed".equals(terminated.get("reason"))) {
                    status = terminated.get("reason").toString();
                }
            }
        }
        if (o.getMetadata().getDeletionTimestamp() != null) {
            status = "Terminating";
        }
        return status.isEmpty() ? "Pending" : status;
    }

    static String jobStatus(GenericKubernetesResource o) {
        List<Map<String, Object>> conditions = o.get("status", "conditions");
        if (conditions != null) {
            for (Map<String, Object> c : conditions) {
                if ("True".equals(c.get("status")) && ("Complete".equals(c.get("type")) || "Failed".equals(c.get("type")))) {
                    return c.get("type").toString();
                }
            }
        }
        return num(o, "status", "active") > 0 ? "Running" : "Pending";
    }

    static String nodeStatus(GenericKubernetesResource o) {
        List<Map<String, Object>> conditions = o.get("status", "conditions");
        String s = "Unknown";
        if (conditions != null) {
            for (Map<String, Object> c : conditions) {
                if ("Ready".equals(c.get("type"))) {
                    s = "True".equals(c.get("status")) ? "Ready" : "NotReady";
                }
            }
        }
        if (Boolean.TRUE.equals(o.get("spec", "unschedulable"))) {
            s += ",SchedulingDisabled";
        }
        return s;
    }

    static String nodeRoles(GenericKubernetesResource o) {
        Map<String, String> labels = o.getMetadata().getLabels();
        List<String> roles = new ArrayList<>();
        if (labels != null) {
            for (String k : labels.keySet()) {
                if (k.startsWith("node-role.kubernetes.io/")) {
                    roles.add(k.substring("node-role.kubernetes.io/".length()));
                }
            }
        }
        return roles.isEmpty() ? "<none>" : String.join(",", roles);
    }

    static String servicePorts(GenericKubernetesResource o) {
        List<Map<String, Object>> ports = o.get("spec", "ports");
        if (ports == null) {
            return "";
        }
        List<String> out = new ArrayList<>();
        for (Map<String, Object> p : ports) {
            String s = String.valueOf(p.get("port"));
            if (p.get("nodePort") != null) {
                s += ":" + p.get("nodePort");
            }
            out.add(s + "/" + (p.get("protocol") == null ? "TCP" : p.get("protocol")));
        }
        return String.join(",", out);
    }

    static String endpoints(GenericKubernetesResource o) {
        List<Map<String, Object>> subsets = o.get("subsets");
        int n = 0;
        if (subsets != null) {
            for (Map<String, Object> s : subsets) {
                if (s.get("addresses") instanceof List<?> a) {
                    n += a.size();
                }
            }
        }
        return n == 0 ? "<none>" : n + " ready";
    }

    static String ingressHosts(GenericKubernetesResource o) {
        List<Map<String, Object>> rules = o.get("spec", "rules");
        if (rules == null) {
            return "*";
        }
        List<String> hosts = new ArrayList<>();
        for (Map<String, Object> r : rules) {
            hosts.add(r.get("host") == null ? "*" : r.get("host").toString());
        }
        return String.join(",", hosts);
    }

    static String selector(Object matchLabels) {
        if (!(matchLabels instanceof Map<?, ?> m) || m.isEmpty()) {
            return "<all pods>";
        }
        List<String> parts = new ArrayList<>();
        m.forEach((k, v) -> parts.add(k + "=" + v));
        return String.join(",", parts);
    }

    /** kubectl's AGE: 45s, 12m, 3h, 5d. */
    public static String age(long createdEpochSeconds, Instant now) {
        if (createdEpochSeconds <= 0) {
            return "";
        }
        long s = Math.max(0, now.getEpochSecond() - createdEpochSeconds);
        if (s < 120) {
            return s + "s";
        }
        if (s < 3600 * 2) {
            return s / 60 + "m";
        }
        if (s < 86400 * 2) {
            return s / 3600 + "h";
        }
        return s / 86400 + "d";
    }
}
