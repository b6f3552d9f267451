package dev.berth.core.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

import static dev.berth.core.apiserver.table.Cells.AGE;
import static dev.berth.core.apiserver.table.Cells.NAME;
import static dev.berth.core.apiserver.table.Cells.at;
import static dev.berth.core.apiserver.table.Cells.items;
import static dev.berth.core.apiserver.table.Cells.num;
import static dev.berth.core.apiserver.table.Cells.present;
import static dev.berth.core.apiserver.table.Cells.text;
import static dev.berth.core.apiserver.table.ColumnDefinition.of;

/** HorizontalPodAutoscaler rows, for autoscaling/v2 objects and autoscaling/v1 ones (CPU target only). */
final class HpaPrinter {
    private static final String UNKNOWN = "<unknown>";

    private HpaPrinter() {
    }

    static TableConvertor create() {
        return new Printer(List.of(NAME,
                of("Reference", "string", "reference to scaled resource; horizontal pod autoscaler will learn the "
                        + "current resource consumption and will set the desired number of pods by using its Scale "
                        + "subresource."),
                of("Targets", "string", "metrics contains the specifications for which to use to calculate the "
                        + "desired replica count."),
                of("MinPods", "string", "minReplicas is the lower limit for the number of replicas to which the "
                        + "autoscaler can scale down."),
                of("MaxPods", "string", "maxReplicas is the upper limit for the number of replicas to which the "
                        + "autoscaler can scale up."),
                of("Replicas", "string", "currentReplicas is current number of replicas of pods managed by this "
                        + "autoscaler, as last seen by the autoscaler."),
                AGE),
                (o, now) -> {
                    JsonNode spec = o.path("spec");
                    String reference = text(spec, "scaleTargetRef", "kind") + "/" + text(spec, "scaleTargetRef", "name");
                    String minPods = present(spec, "minReplicas") ? Long.toString(num(spec, "minReplicas")) : "<unset>";
                    return BuiltinPrinters.cells(Cells.name(o), reference, targets(o), minPods,
                            num(spec, "maxReplicas"), num(o, "status", "currentReplicas"), Cells.age(o, now));
                });
    }

    private static String targets(JsonNode hpa) {
        JsonNode spec = hpa.path("spec");
        if (!spec.has("metrics")) {
            // autoscaling/v1: one CPU utilization target, 80% when unset.
            long target = present(spec, "targetCPUUtilizationPercentage") ? num(spec, "targetCPUUtilizationPercentage") : 80;
            String current = present(hpa, "status", "currentCPUUtilizationPercentage")
                    ? num(hpa, "status", "currentCPUUtilizationPercentage") + "%" : UNKNOWN;
            return "cpu: " + current + "/" + target + "%";
        }
        List<JsonNode> specs = items(spec.path("metrics"));
        List<JsonNode> statuses = items(hpa.path("status").path("currentMetrics"));
        if (specs.isEmpty()) {
            return "<none>";
        }
        List<String> list = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            JsonNode m = specs.get(i);
            JsonNode st = i < statuses.size() ? statuses.get(i) : null;
            list.add(switch (text(m, "type")) {
                case "External" -> valueTarget(m.path("external").path("target"), st, "external");
                case "Object" -> valueTarget(m.path("object").path("target"), st, "object");
                case "Pods" -> current(st, "pods", "averageValue") + "/" + text(m, "pods", "target", "averageValue");
                case "Resource" -> resourceTarget(m.path("resource"), st, "resource");
                case "ContainerResource" -> resourceTarget(m.path("containerResource"), st, "containerResource");
                default -> "<unknown type>";
            });
        }
        int max = 2;
        if (list.size() > max) {
            return String.join(", ", list.subList(0, max)) + " + " + (list.size() - max) + " more...";
        }
        return String.join(", ", list);
    }

    private static String valueTarget(JsonNode target, JsonNode status, String field) {
        if (present(target, "averageValue")) {
            return current(status, field, "averageValue") + "/" + text(target, "averageValue") + " (avg)";
        }
        return current(status, field, "value") + "/" + text(target, "value");
    }

    private static String resourceTarget(JsonNode source, JsonNode status, String field) {
        String resource = text(source, "name");
        JsonNode target = source.path("target");
        if (present(target, "averageValue")) {
            return resource + ": " + current(status, field, "averageValue") + "/" + text(target, "averageValue");
        }
        String current = status != null && present(status, field, "current", "averageUtilization")
                ? num(status, field, "current", "averageUtilization") + "%" : UNKNOWN;
        String goal = present(target, "averageUtilization") ? num(target, "averageUtilization") + "%" : "<auto>";
        return resource + ": " + current + "/" + goal;
    }

    private static String current(JsonNode status, String field, String value) {
        if (status == null || !present(status, field)) {
            return UNKNOWN;
        }
        JsonNode v = at(status, field, "current", value);
        return present(v) ? v.asText() : "0";
    }
}
