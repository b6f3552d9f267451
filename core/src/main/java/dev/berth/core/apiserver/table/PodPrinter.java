package dev.berth.core.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.berth.core.apiserver.table.Cells.at;
import static dev.berth.core.apiserver.table.Cells.items;
import static dev.berth.core.apiserver.table.Cells.num;
import static dev.berth.core.apiserver.table.Cells.present;
import static dev.berth.core.apiserver.table.Cells.text;
import static dev.berth.core.apiserver.table.Cells.time;

/** Pod rows with the kubelet's view of status: init progress, waiting and terminated reasons. */
final class PodPrinter implements TableConvertor {
    private static final List<ColumnDefinition> COLUMNS = List.of(
            Cells.NAME,
            ColumnDefinition.of("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
            ColumnDefinition.of("Status", "string", "The aggregate status of the containers in this pod."),
            ColumnDefinition.of("Restarts", "string", "The number of times the containers in this pod have been "
                    + "restarted and when the last container in this pod has restarted."),
            Cells.AGE,
            ColumnDefinition.wide("IP", "string", "IP address allocated to the pod. Routable at least within the "
                    + "cluster. Empty if not yet allocated."),
            ColumnDefinition.wide("Node", "string", "NodeName indicates in which node this pod is scheduled."),
            ColumnDefinition.wide("Nominated Node", "string", "nominatedNodeName is set when this pod preempts "
                    + "other pods on the node, but it cannot be scheduled right away as preemption victims receive "
                    + "their graceful termination periods."),
            ColumnDefinition.wide("Readiness Gates", "string", "If specified, all readiness gates will be evaluated "
                    + "for pod readiness."));

    @Override
    public List<ColumnDefinition> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(JsonNode pod, Instant now) {
        JsonNode spec = pod.path("spec");
        JsonNode status = pod.path("status");
        long restarts = 0;
        long restartableInitRestarts = 0;
        int totalContainers = items(spec.path("containers")).size();
        int readyContainers = 0;
        Instant lastRestart = null;
        Instant lastRestartableInitRestart = null;

        String phase = text(status, "phase");
        String reason = text(status, "reason").isEmpty() ? phase : text(status, "reason");
        for (JsonNode c : items(status.path("conditions"))) {
            if (text(c, "type").equals("PodScheduled") && text(c, "reason").equals("SchedulingGated")) {
                reason = "SchedulingGated";
            }
        }

        Map<String, JsonNode> initContainers = new HashMap<>();
        List<JsonNode> initSpecs = items(spec.path("initContainers"));
        for (JsonNode c : initSpecs) {
            initContainers.put(text(c, "name"), c);
            if (restartable(c)) {
                totalContainers++;
            }
        }

        boolean initializing = false;
        List<JsonNode> initStatuses = items(status.path("initContainerStatuses"));
        for (int i = 0; i < initStatuses.size(); i++) {
            JsonNode c = initStatuses.get(i);
            restarts += num(c, "restartCount");
            Instant finished = time(c, "lastState", "terminated", "finishedAt");
            lastRestart = later(lastRestart, finished);
            boolean isRestartable = restartable(initContainers.get(text(c, "name")));
            if (isRestartable) {
                restartableInitRestarts += num(c, "restartCount");
                lastRestartableInitRestart = later(lastRestartableInitRestart, finished);
            }
            JsonNode terminated = at(c, "state", "terminated");
            JsonNode waiting = at(c, "state", "waiting");
            if (present(terminated) && num(terminated, "exitCode") == 0) {
                continue;
            } else if (isRestartable && at(c, "started").asBoolean(false)) {
                if (at(c, "ready").asBoolean(false)) {
                    readyContainers++;
                }
                continue;
            } else if (present(terminated)) {
                if (text(terminated, "reason").isEmpty()) {
                    reason = num(terminated, "signal") != 0
                            ? "Init:Signal:" + num(terminated, "signal")
                            : "Init:ExitCode:" + num(terminated, "exitCode");
                } else {
                    reason = "Init:" + text(terminated, "reason");
                }
            } else if (present(waiting) && !text(waiting, "reason").isEmpty()
                    && !text(waiting, "reason").equals("PodInitializing")) {
                reason = "Init:" + text(waiting, "reason");
            } else {
                reason = "Init:" + i + "/" + initSpecs.size();
            }
            initializing = true;
            break;
        }

        if (!initializing || conditionTrue(status, "Initialized")) {
            restarts = restartableInitRestarts;
            lastRestart = lastRestartableInitRestart;
            boolean hasRunning = false;
            List<JsonNode> statuses = items(status.path("containerStatuses"));
            for (int i = statuses.size() - 1; i >= 0; i--) {
                JsonNode c = statuses.get(i);
                restarts += num(c, "restartCount");
                lastRestart = later(lastRestart, time(c, "lastState", "terminated", "finishedAt"));
                JsonNode terminated = at(c, "state", "terminated");
                if (!text(c, "state", "waiting", "reason").isEmpty()) {
                    reason = text(c, "state", "waiting", "reason");
                } else if (present(terminated) && !text(terminated, "reason").isEmpty()) {
                    reason = text(terminated, "reason");
                } else if (present(terminated)) {
                    reason = num(terminated, "signal") != 0
                            ? "Signal:" + num(terminated, "signal")
                            : "ExitCode:" + num(terminated, "exitCode");
                } else if (at(c, "ready").asBoolean(false) && present(c, "state", "running")) {
                    hasRunning = true;
                    readyContainers++;
                }
            }
            // A pod whose last container completed but another still runs is not "Completed".
            if (reason.equals("Completed") && hasRunning) {
                reason = conditionTrue(status, "Ready") ? "Running" : "NotReady";
            }
        }

        boolean deleting = present(pod, "metadata", "deletionTimestamp");
        if (deleting && text(status, "reason").equals("NodeLost")) {
            reason = "Unknown";
        } else if (deleting && !phase.equals("Succeeded") && !phase.equals("Failed")) {
            reason = "Terminating";
        }

        String restartsCell = Long.toString(restarts);
        if (restarts != 0 && lastRestart != null) {
            restartsCell = restarts + " (" + HumanDuration.since(lastRestart, now) + " ago)";
        }

        List<Object> cells = new ArrayList<>();
        cells.add(Cells.name(pod));
        cells.add(readyContainers + "/" + totalContainers);
        cells.add(reason);
        cells.add(restartsCell);
        cells.add(Cells.age(pod, now));

        String podIp = text(items(status.path("podIPs")).stream().findFirst().orElse(null), "ip");
        cells.add(podIp.isEmpty() ? "<none>" : podIp);
        cells.add(Cells.textOr(spec, "<none>", "nodeName"));
        cells.add(Cells.textOr(status, "<none>", "nominatedNodeName"));
        String gates = "<none>";
        List<JsonNode> readinessGates = items(spec.path("readinessGates"));
        if (!readinessGates.isEmpty()) {
            int trueConditions = 0;
            for (JsonNode gate : readinessGates) {
                for (JsonNode c : items(status.path("conditions"))) {
                    if (text(c, "type").equals(text(gate, "conditionType"))) {
                        if (text(c, "status").equals("True")) {
                            trueConditions++;
                        }
                        break;
                    }
                }
            }
            gates = trueConditions + "/" + readinessGates.size();
        }
        cells.add(gates);
        return cells;
    }

    @Override
    public List<RowCondition> rowConditions(JsonNode pod) {
        return switch (text(pod, "status", "phase")) {
            case "Succeeded" -> List.of(new RowCondition("Completed", "True", "Succeeded",
                    "The pod has completed successfully."));
            case "Failed" -> List.of(new RowCondition("Completed", "True", "Failed", "The pod failed."));
            default -> List.of();
        };
    }

    private static boolean restartable(JsonNode container) {
        return container != null && text(container, "restartPolicy").equals("Always");
    }

    private static boolean conditionTrue(JsonNode status, String type) {
        for (JsonNode c : items(status.path("conditions"))) {
            if (text(c, "type").equals(type) && text(c, "status").equals("True")) {
                return true;
            }
        }
        return false;
    }

    private static Instant later(Instant current, Instant candidate) {
        if (candidate == null) {
            return current;
        }
        return current == null || current.isBefore(candidate) ? candidate : current;
    }
}
