package dev.berth.core.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static dev.berth.core.apiserver.table.Cells.AGE;
import static dev.berth.core.apiserver.table.Cells.CONTAINERS;
import static dev.berth.core.apiserver.table.Cells.IMAGES;
import static dev.berth.core.apiserver.table.Cells.NAME;
import static dev.berth.core.apiserver.table.Cells.age;
import static dev.berth.core.apiserver.table.Cells.at;
import static dev.berth.core.apiserver.table.Cells.items;
import static dev.berth.core.apiserver.table.Cells.name;
import static dev.berth.core.apiserver.table.Cells.num;
import static dev.berth.core.apiserver.table.Cells.present;
import static dev.berth.core.apiserver.table.Cells.text;
import static dev.berth.core.apiserver.table.Cells.textOr;
import static dev.berth.core.apiserver.table.ColumnDefinition.of;
import static dev.berth.core.apiserver.table.ColumnDefinition.wide;

/** The Kubernetes API server's printers for built-in resources, keyed by "group/resource". */
final class BuiltinPrinters {
    private static final ColumnDefinition CREATED_AT = of("Created At", "date", Cells.CREATION_TIMESTAMP_DESCRIPTION);

    private BuiltinPrinters() {
    }

    static Map<String, TableConvertor> all() {
        Map<String, TableConvertor> m = new HashMap<>();
        m.put("/pods", new PodPrinter());
        m.put("/services", services());
        m.put("/nodes", nodes());
        m.put("/namespaces", printer(List.of(NAME, of("Status", "string", "The status of the namespace"), AGE),
                (o, now) -> cells(name(o), text(o, "status", "phase"), age(o, now))));
        m.put("/configmaps", printer(List.of(NAME, of("Data", "string", "Data contains the configuration data."), AGE),
                (o, now) -> cells(name(o), (long) (o.path("data").size() + o.path("binaryData").size()), age(o, now))));
        m.put("/secrets", printer(List.of(NAME, of("Type", "string", "Used to facilitate programmatic handling of secret data."),
                        of("Data", "string", "Data contains the secret data."), AGE),
                (o, now) -> cells(name(o), text(o, "type"), (long) o.path("data").size(), age(o, now))));
        m.put("/serviceaccounts", printer(List.of(NAME, of("Secrets", "string",
                        "Secrets is a list of the secrets in the same namespace that pods running using this "
                                + "ServiceAccount are allowed to use."), AGE),
                (o, now) -> cells(name(o), (long) o.path("secrets").size(), age(o, now))));
        m.put("/events", events());
        m.put("events.k8s.io/events", events());
        m.put("/endpoints", printer(List.of(NAME, of("Endpoints", "string",
                        "The set of all endpoints is the union of all subsets."), AGE),
                (o, now) -> cells(name(o), formatEndpoints(o), age(o, now))));
        m.put("discovery.k8s.io/endpointslices", printer(List.of(NAME,
                        of("AddressType", "string", "Type of address carried by this EndpointSlice"),
                        of("Ports", "string", "Ports that are exposed by this EndpointSlice"),
                        of("Endpoints", "string", "Endpoints in this EndpointSlice"), AGE),
                (o, now) -> cells(name(o), text(o, "addressType"), discoveryPorts(o.path("ports")),
                        discoveryEndpoints(o.path("endpoints")), age(o, now))));
        m.put("/persistentvolumes", persistentVolumes());
        m.put("/persistentvolumeclaims", persistentVolumeClaims());
        m.put("/resourcequotas", resourceQuotas());
        m.put("/limitranges", printer(List.of(NAME, CREATED_AT), (o, now) -> cells(name(o), Cells.createdAt(o))));
        m.put("/replicationcontrollers", replicationControllers());
        m.put("/podtemplates", printer(List.of(NAME,
                        of("Containers", "string", "Names of each container in the template."),
                        of("Images", "string", "Images referenced by each container in the template."),
                        of("Pod Labels", "string", "The labels for the pod template.")),
                (o, now) -> {
                    String[] ci = Cells.containerCells(o.path("template").path("spec"));
                    return cells(name(o), ci[0], ci[1], Cells.formatLabels(at(o, "template", "metadata", "labels")));
                }));

        m.put("apps/deployments", deployments());
        m.put("apps/replicasets", replicaSets());
        m.put("apps/daemonsets", daemonSets());
        m.put("apps/statefulsets", statefulSets());
        m.put("apps/controllerrevisions", printer(List.of(NAME,
                        of("Controller", "string", "Controller of the object"),
                        of("Revision", "string", "Revision indicates the revision of the state represented by Data."),
                        AGE),
                (o, now) -> cells(name(o), controllerOf(o), num(o, "revision"), age(o, now))));
        m.put("batch/jobs", jobs());
        m.put("batch/cronjobs", cronJobs());
        m.put("autoscaling/horizontalpodautoscalers", HpaPrinter.create());
        m.put("policy/poddisruptionbudgets", printer(List.of(NAME,
                        of("Min Available", "string", "The minimum number of pods that must be available."),
                        of("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
                        of("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time."),
                        AGE),
                (o, now) -> cells(name(o),
                        present(o, "spec", "minAvailable") ? at(o, "spec", "minAvailable").asText() : "N/A",
                        present(o, "spec", "maxUnavailable") ? at(o, "spec", "maxUnavailable").asText() : "N/A",
                        num(o, "status", "disruptionsAllowed"), age(o, now))));
        m.put("coordination.k8s.io/leases", printer(List.of(NAME,
                        of("Holder", "string", "HolderIdentity contains the identity of the holder of a current lease."),
                        AGE),
                (o, now) -> cells(name(o), text(o, "spec", "holderIdentity"), age(o, now))));
        m.put("scheduling.k8s.io/priorityclasses", printer(List.of(NAME,
                        of("Value", "integer", "value represents the integer value of this priority class."),
                        of("Global-Default", "boolean", "globalDefault specifies whether this PriorityClass should be "
                                + "considered as the default priority for pods that do not have any priority class."),
                        AGE,
                        of("PreemptionPolicy", "string", "preemptionPolicy is the Policy for preempting pods with "
                                + "lower priority.")),
                (o, now) -> cells(name(o), num(o, "value"), Cells.bool(o, "globalDefault"), age(o, now),
                        text(o, "preemptionPolicy"))));
        m.put("networking.k8s.io/networkpolicies", printer(List.of(NAME,
                        of("Pod-Selector", "string", "podSelector selects the pods to which this NetworkPolicy object "
                                + "applies."), AGE),
                (o, now) -> cells(name(o), Cells.formatLabelSelector(at(o, "spec", "podSelector")), age(o, now))));
        m.put("networking.k8s.io/ingresses", ingresses());
        m.put("networking.k8s.io/ingressclasses", printer(List.of(NAME,
                        of("Controller", "string", "Controller that is responsible for handling this class"),
                        of("Parameters", "string", "A reference to a resource with additional parameters"), AGE),
                (o, now) -> cells(name(o), text(o, "spec", "controller"), ingressClassParameters(o), age(o, now))));
        m.put("storage.k8s.io/storageclasses", storageClasses());
        m.put("rbac.authorization.k8s.io/roles", printer(List.of(NAME, CREATED_AT),
                (o, now) -> cells(name(o), Cells.createdAt(o))));
        m.put("rbac.authorization.k8s.io/clusterroles", printer(List.of(NAME, CREATED_AT),
                (o, now) -> cells(name(o), Cells.createdAt(o))));
        m.put("rbac.authorization.k8s.io/rolebindings", roleBindings());
        m.put("rbac.authorization.k8s.io/clusterrolebindings", roleBindings());
        m.put("certificates.k8s.io/certificatesigningrequests", certificateSigningRequests());
        // The apiextensions server serves CRDs with the default table.
        m.put("apiextensions.k8s.io/customresourcedefinitions", defaultTable());
        return m;
    }

    static TableConvertor defaultTable() {
        return printer(List.of(NAME, CREATED_AT), (o, now) -> cells(name(o), Cells.createdAt(o)));
    }

    private static Printer printer(List<ColumnDefinition> columns,
                                   java.util.function.BiFunction<JsonNode, Instant, List<Object>> cells) {
        return new Printer(columns, cells);
    }

    static List<Object> cells(Object... values) {
        return new ArrayList<>(Arrays.asList(values));
    }

    // --- core ---

    private static TableConvertor services() {
        return printer(List.of(NAME,
                        of("Type", "string", "type determines how the Service is exposed."),
                        of("Cluster-IP", "string", "clusterIP is the IP address of the service and is usually "
                                + "assigned randomly."),
                        of("External-IP", "string", "externalIPs is a list of IP addresses for which nodes in the "
                                + "cluster will also accept traffic for this service."),
                        of("Port(s)", "string", "The list of ports that are exposed by this service."),
                        AGE,
                        wide("Selector", "string", "Route service traffic to pods with label keys and values matching "
                                + "this selector.")),
                (o, now) -> {
                    JsonNode spec = o.path("spec");
                    List<JsonNode> clusterIps = items(spec.path("clusterIPs"));
                    String clusterIp = clusterIps.isEmpty() ? textOr(spec, "<none>", "clusterIP")
                            : clusterIps.getFirst().asText();
                    List<String> ports = new ArrayList<>();
                    for (JsonNode p : items(spec.path("ports"))) {
                        String protocol = textOr(p, "TCP", "protocol");
                        ports.add(num(p, "nodePort") > 0
                                ? num(p, "port") + ":" + num(p, "nodePort") + "/" + protocol
                                : num(p, "port") + "/" + protocol);
                    }
                    String portCell = ports.isEmpty() ? "<none>" : String.join(",", ports);
                    return cells(name(o), textOr(spec, "ClusterIP", "type"), clusterIp, serviceExternalIp(o),
                            portCell, age(o, now), Cells.formatLabels(spec.path("selector")));
                });
    }

    private static String serviceExternalIp(JsonNode svc) {
        JsonNode spec = svc.path("spec");
        List<String> externalIps = new ArrayList<>();
        items(spec.path("externalIPs")).forEach(n -> externalIps.add(n.asText()));
        switch (textOr(spec, "ClusterIP", "type")) {
            case "ClusterIP", "NodePort" -> {
                return externalIps.isEmpty() ? "<none>" : String.join(",", externalIps);
            }
            case "LoadBalancer" -> {
                String lb = loadBalancerIngress(svc.path("status").path("loadBalancer"));
                if (!externalIps.isEmpty()) {
                    List<String> all = new ArrayList<>();
                    if (!lb.isEmpty()) {
                        all.addAll(Arrays.asList(lb.split(",")));
                    }
                    all.addAll(externalIps);
                    return String.join(",", all);
                }
                return lb.isEmpty() ? "<pending>" : lb;
            }
            case "ExternalName" -> {
                return text(spec, "externalName");
            }
            default -> {
                return "<unknown>";
            }
        }
    }

    /** Load-balancer ingress points (IP, else hostname), comma-separated; the server never truncates. */
    static String loadBalancerIngress(JsonNode loadBalancerStatus) {
        TreeSet<String> out = new TreeSet<>();
        for (JsonNode ing : items(loadBalancerStatus.path("ingress"))) {
            if (!text(ing, "ip").isEmpty()) {
                out.add(text(ing, "ip"));
            } else if (!text(ing, "hostname").isEmpty()) {
                out.add(text(ing, "hostname"));
            }
        }
        return String.join(",", out);
    }

    private static TableConvertor nodes() {
        return printer(List.of(NAME,
                        of("Status", "string", "The status of the node"),
                        of("Roles", "string", "The roles of the node"),
                        AGE,
                        of("Version", "string", "Kubelet Version reported by the node."),
                        wide("Internal-IP", "string", "List of addresses reachable to the node."),
                        wide("External-IP", "string", "List of addresses reachable to the node."),
                        wide("OS-Image", "string", "OS Image reported by the node from /etc/os-release (e.g. "
                                + "Debian GNU/Linux 7 (wheezy))."),
                        wide("Kernel-Version", "string", "Kernel Version reported by the node from 'uname -r' "
                                + "(e.g. 3.16.0-0.bpo.4-amd64)."),
                        wide("Container-Runtime", "string", "ContainerRuntime Version reported by the node through "
                                + "runtime remote API (e.g. containerd://1.4.2).")),
                (o, now) -> {
                    List<String> status = new ArrayList<>();
                    for (JsonNode c : items(o.path("status").path("conditions"))) {
                        if (text(c, "type").equals("Ready")) {
                            status.clear();
                            status.add(text(c, "status").equals("True") ? "Ready" : "NotReady");
                        }
                    }
                    if (status.isEmpty()) {
                        status.add("Unknown");
                    }
                    if (Cells.bool(o, "spec", "unschedulable")) {
                        status.add("SchedulingDisabled");
                    }
                    TreeSet<String> roles = new TreeSet<>();
                    o.path("metadata").path("labels").fields().forEachRemaining(e -> {
                        if (e.getKey().startsWith("node-role.kubernetes.io/")) {
                            String role = e.getKey().substring("node-role.kubernetes.io/".length());
                            if (!role.isEmpty()) {
                                roles.add(role);
                            }
                        } else if (e.getKey().equals("kubernetes.io/role") && !e.getValue().asText().isEmpty()) {
                            roles.add(e.getValue().asText());
                        }
                    });
                    JsonNode info = o.path("status").path("nodeInfo");
                    return cells(name(o), String.join(",", status), roles.isEmpty() ? "<none>" : String.join(",", roles),
                            age(o, now), text(info, "kubeletVersion"),
                            nodeAddress(o, "InternalIP"), nodeAddress(o, "ExternalIP"),
                            textOr(info, "<unknown>", "osImage"), textOr(info, "<unknown>", "kernelVersion"),
                            textOr(info, "<unknown>", "containerRuntimeVersion"));
                });
    }

    private static String nodeAddress(JsonNode node, String type) {
        for (JsonNode a : items(node.path("status").path("addresses"))) {
            if (text(a, "type").equals(type)) {
                return text(a, "address");
            }
        }
        return "<none>";
    }

    private static TableConvertor events() {
        return printer(List.of(
                        of("Last Seen", "string", "The time at which the most recent occurrence of this event was recorded."),
                        of("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future"),
                        of("Reason", "string", "This should be a short, machine understandable string that gives the "
                                + "reason for the transition into the object's current status."),
                        of("Object", "string", "The object that this event is about."),
                        wide("Subobject", "string", "If referring to a piece of an object instead of an entire object, "
                                + "this string should contain a valid JSON/Go field access statement."),
                        wide("Source", "string", "The component reporting this event."),
                        of("Message", "string", "A human-readable description of the status of this operation."),
                        wide("First Seen", "string", "The time at which the event was first recorded."),
                        wide("Count", "string", "The number of times this event has occurred."),
                        new ColumnDefinition("Name", "string", "name", Cells.NAME_DESCRIPTION, 1)),
                (o, now) -> {
                    // events.k8s.io/v1 names some fields differently from core/v1.
                    boolean newApi = o.has("regarding") || o.has("note") || o.has("deprecatedFirstTimestamp");
                    JsonNode involved = newApi ? o.path("regarding") : o.path("involvedObject");
                    String firstField = newApi ? "deprecatedFirstTimestamp" : "firstTimestamp";
                    String lastField = newApi ? "deprecatedLastTimestamp" : "lastTimestamp";
                    String first = present(o, firstField) ? Cells.since(o, now, firstField)
                            : Cells.since(o, now, "eventTime");
                    String last = present(o, lastField) ? Cells.since(o, now, lastField) : first;
                    long count = num(o, newApi ? "deprecatedCount" : "count");
                    if (present(o, "series")) {
                        last = Cells.since(o, now, "series", "lastObservedTime");
                        count = num(o, "series", "count");
                    } else if (count == 0) {
                        count = 1;
                    }
                    String kind = text(involved, "kind").toLowerCase(java.util.Locale.ROOT);
                    String target = text(involved, "name").isEmpty() ? kind : kind + "/" + text(involved, "name");
                    JsonNode source = o.path(newApi ? "deprecatedSource" : "source");
                    String component = textOr(source, text(o, "reportingController"), "component");
                    String instance = textOr(source, text(o, "reportingInstance"), "host");
                    String sourceCell = instance.isEmpty() ? component : component + ", " + instance;
                    String message = text(o, newApi ? "note" : "message").strip();
                    return cells(last, text(o, "type"), text(o, "reason"), target, text(involved, "fieldPath"),
                            sourceCell, message, first, count, name(o));
                });
    }

    private static String formatEndpoints(JsonNode endpoints) {
        List<JsonNode> subsets = items(endpoints.path("subsets"));
        if (subsets.isEmpty()) {
            return "<none>";
        }
        List<String> list = new ArrayList<>();
        int max = 3;
        boolean more = false;
        int count = 0;
        for (JsonNode ss : subsets) {
            List<JsonNode> addresses = items(ss.path("addresses"));
            List<JsonNode> ports = items(ss.path("ports"));
            if (ports.isEmpty()) {
                count += addresses.size();
                for (JsonNode a : addresses) {
                    if (list.size() == max) {
                        more = true;
                        break;
                    }
                    list.add(text(a, "ip"));
                }
                continue;
            }
            for (JsonNode port : ports) {
                count += addresses.size();
                for (JsonNode a : addresses) {
                    if (list.size() == max) {
                        more = true;
                        break;
                    }
                    list.add(joinHostPort(text(a, "ip"), num(port, "port")));
                }
            }
        }
        return Cells.listWithMore(list, more, count, max, null);
    }

    private static String joinHostPort(String host, long port) {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }

    private static String discoveryPorts(JsonNode ports) {
        List<String> list = new ArrayList<>();
        int max = 3;
        boolean more = false;
        int count = 0;
        for (JsonNode p : items(ports)) {
            if (list.size() < max) {
                list.add(present(p, "port") ? Long.toString(num(p, "port"))
                        : present(p, "name") ? text(p, "name") : "*");
            } else if (list.size() == max) {
                more = true;
            }
            count++;
        }
        return Cells.listWithMore(list, more, count, max, "<unset>");
    }

    private static String discoveryEndpoints(JsonNode endpoints) {
        List<String> list = new ArrayList<>();
        int max = 3;
        boolean more = false;
        int count = 0;
        for (JsonNode e : items(endpoints)) {
            for (JsonNode a : items(e.path("addresses"))) {
                if (list.size() < max) {
                    list.add(a.asText());
                } else if (list.size() == max) {
                    more = true;
                }
                count++;
            }
        }
        return Cells.listWithMore(list, more, count, max, "<unset>");
    }

    private static TableConvertor persistentVolumes() {
        return printer(List.of(NAME,
                        of("Capacity", "string", "capacity is the description of the persistent volume's resources "
                                + "and capacity."),
                        of("Access Modes", "string", "accessModes contains all ways the volume can be mounted."),
                        of("Reclaim Policy", "string", "persistentVolumeReclaimPolicy defines what happens to a "
                                + "persistent volume when released from its claim."),
                        of("Status", "string", "phase indicates if a volume is available, bound to a claim, or "
                                + "released by a claim."),
                        of("Claim", "string", "claimRef is part of a bi-directional binding between "
                                + "PersistentVolume and PersistentVolumeClaim."),
                        of("StorageClass", "string", "storageClassName is the name of StorageClass to which this "
                                + "persistent volume belongs."),
                        of("VolumeAttributesClass", "string", "Name of VolumeAttributesClass to which this "
                                + "persistent volume belongs."),
                        of("Reason", "string", "reason is a brief CamelCase string that describes any failure and "
                                + "is meant for machine parsing and tidy display in the CLI."),
                        AGE,
                        wide("VolumeMode", "string", "volumeMode defines if a volume is intended to be used with a "
                                + "formatted filesystem or to remain in raw block state.")),
                (o, now) -> {
                    JsonNode spec = o.path("spec");
                    String claim = present(spec, "claimRef")
                            ? text(spec, "claimRef", "namespace") + "/" + text(spec, "claimRef", "name") : "";
                    String phase = Cells.terminating(o) ? "Terminating" : text(o, "status", "phase");
                    String storageClass = textOr(o.path("metadata").path("annotations"),
                            text(spec, "storageClassName"), "volume.beta.kubernetes.io/storage-class");
                    return cells(name(o), Cells.quantity(spec, "capacity", "storage"),
                            Cells.accessModes(spec.path("accessModes")), text(spec, "persistentVolumeReclaimPolicy"),
                            phase, claim, storageClass, textOr(spec, "<unset>", "volumeAttributesClassName"),
                            text(o, "status", "reason"), age(o, now), textOr(spec, "<unset>", "volumeMode"));
                });
    }

    private static TableConvertor persistentVolumeClaims() {
        return printer(List.of(NAME,
                        of("Status", "string", "phase represents the current phase of PersistentVolumeClaim."),
                        of("Volume", "string", "volumeName is the binding reference to the PersistentVolume backing "
                                + "this claim."),
                        of("Capacity", "string", "capacity represents the actual resources of the underlying volume."),
                        of("Access Modes", "string", "accessModes contains the desired access modes the volume "
                                + "should have."),
                        of("StorageClass", "string", "storageClassName is the name of the StorageClass required by "
                                + "the claim."),
                        of("VolumeAttributesClass", "string", "volumeAttributesClassName may be used to set the "
                                + "VolumeAttributesClass used by this claim."),
                        AGE,
                        wide("VolumeMode", "string", "volumeMode defines what type of volume is required by the claim.")),
                (o, now) -> {
                    JsonNode spec = o.path("spec");
                    String phase = Cells.terminating(o) ? "Terminating" : text(o, "status", "phase");
                    String capacity = "";
                    String modes = "";
                    if (!text(spec, "volumeName").isEmpty()) {
                        modes = Cells.accessModes(o.path("status").path("accessModes"));
                        capacity = Cells.quantity(o, "status", "capacity", "storage");
                    }
                    String storageClass = textOr(o.path("metadata").path("annotations"),
                            text(spec, "storageClassName"), "volume.beta.kubernetes.io/storage-class");
                    return cells(name(o), phase, text(spec, "volumeName"), capacity, modes, storageClass,
                            textOr(spec, "<unset>", "volumeAttributesClassName"), age(o, now),
                            textOr(spec, "<unset>", "volumeMode"));
                });
    }

    private static TableConvertor resourceQuotas() {
        return printer(List.of(NAME,
                        of("Request", "string", "Request represents a minimum amount of cpu/memory that a container "
                                + "may consume."),
                        of("Limit", "string", "Limits control the maximum amount of cpu/memory that a container may "
                                + "use independent of contention on the node."),
                        AGE),
                (o, now) -> {
                    TreeMap<String, String> hard = new TreeMap<>();
                    o.path("status").path("hard").fields().forEachRemaining(e -> hard.put(e.getKey(), e.getValue().asText()));
                    List<String> requests = new ArrayList<>();
                    List<String> limits = new ArrayList<>();
                    hard.forEach((resource, value) -> {
                        String cell = resource + ": " + Cells.quantity(o, "status", "used", resource) + "/" + value;
                        String[] pieces = resource.split("\\.");
                        (pieces.length > 1 && pieces[0].equals("limits") ? limits : requests).add(cell);
                    });
                    return cells(name(o), String.join(", ", requests), String.join(", ", limits), age(o, now));
                });
    }

    private static TableConvertor replicationControllers() {
        return printer(List.of(NAME,
                        of("Desired", "integer", "Replicas is the number of desired replicas."),
                        of("Current", "integer", "Replicas is the most recently observed number of replicas."),
                        of("Ready", "integer", "The number of ready replicas for this replication controller."),
                        AGE, CONTAINERS, IMAGES,
                        wide("Selector", "string", "Selector is a label query over pods that should match the "
                                + "Replicas count.")),
                (o, now) -> {
                    String[] ci = Cells.containerCells(at(o, "spec", "template", "spec"));
                    return cells(name(o), num(o, "spec", "replicas"), num(o, "status", "replicas"),
                            num(o, "status", "readyReplicas"), age(o, now), ci[0], ci[1],
                            Cells.formatLabels(at(o, "spec", "selector")));
                });
    }

    // --- apps ---

    private static TableConvertor deployments() {
        return printer(List.of(NAME,
                        of("Ready", "string", "Number of the pod with ready state"),
                        of("Up-to-date", "string", "Total number of non-terminated pods targeted by this deployment "
                                + "that have the desired template spec."),
                        of("Available", "string", "Total number of available pods (ready for at least "
                                + "minReadySeconds) targeted by this deployment."),
                        AGE, CONTAINERS, IMAGES,
                        wide("Selector", "string", "Label selector for pods. Existing ReplicaSets whose pods are "
                                + "selected by this will be the ones affected by this deployment.")),
                (o, now) -> {
                    String[] ci = Cells.containerCells(at(o, "spec", "template", "spec"));
                    return cells(name(o), num(o, "status", "readyReplicas") + "/" + num(o, "spec", "replicas"),
                            num(o, "status", "updatedReplicas"), num(o, "status", "availableReplicas"),
                            age(o, now), ci[0], ci[1], Cells.selectorString(at(o, "spec", "selector")));
                });
    }

    private static TableConvertor replicaSets() {
        return printer(List.of(NAME,
                        of("Desired", "integer", "Replicas is the number of desired pods."),
                        of("Current", "integer", "Replicas is the most recently observed number of non-terminating "
                                + "pods."),
                        of("Ready", "integer", "The number of non-terminating pods targeted by this ReplicaSet with "
                                + "a Ready Condition."),
                        AGE, CONTAINERS, IMAGES,
                        wide("Selector", "string", "Selector is a label query over pods that should match the "
                                + "replica count.")),
                (o, now) -> {
                    String[] ci = Cells.containerCells(at(o, "spec", "template", "spec"));
                    return cells(name(o), num(o, "spec", "replicas"), num(o, "status", "replicas"),
                            num(o, "status", "readyReplicas"), age(o, now), ci[0], ci[1],
                            Cells.formatLabelSelector(at(o, "spec", "selector")));
                });
    }

    private static TableConvertor daemonSets() {
        return printer(List.of(NAME,
                        of("Desired", "integer", "The total number of nodes that should be running the daemon pod."),
                        of("Current", "integer", "The number of nodes that are running at least 1 daemon pod and "
                                + "are supposed to run the daemon pod."),
                        of("Ready", "integer", "numberReady is the number of nodes that should be running the "
                                + "daemon pod and have one or more of the daemon pod running with a Ready Condition."),
                        of("Up-to-date", "integer", "The total number of nodes that are running updated daemon pod"),
                        of("Available", "integer", "The number of nodes that should be running the daemon pod and "
                                + "have one or more of the daemon pod running and available."),
                        of("Node Selector", "string", "NodeSelector is a selector which must be true for the pod to "
                                + "fit on a node."),
                        AGE, CONTAINERS, IMAGES,
                        wide("Selector", "string", "A label query over pods that are managed by the daemon set.")),
                (o, now) -> {
                    JsonNode st = o.path("status");
                    String[] ci = Cells.containerCells(at(o, "spec", "template", "spec"));
                    return cells(name(o), num(st, "desiredNumberScheduled"), num(st, "currentNumberScheduled"),
                            num(st, "numberReady"), num(st, "updatedNumberScheduled"), num(st, "numberAvailable"),
                            Cells.formatLabels(at(o, "spec", "template", "spec", "nodeSelector")), age(o, now),
                            ci[0], ci[1], Cells.formatLabelSelector(at(o, "spec", "selector")));
                });
    }

    private static TableConvertor statefulSets() {
        return printer(List.of(NAME,
                        of("Ready", "string", "Number of the pod with ready state"),
                        AGE, CONTAINERS, IMAGES),
                (o, now) -> {
                    String[] ci = Cells.containerCells(at(o, "spec", "template", "spec"));
                    return cells(name(o), num(o, "status", "readyReplicas") + "/" + num(o, "spec", "replicas"),
                            age(o, now), ci[0], ci[1]);
                });
    }

    private static String controllerOf(JsonNode object) {
        for (JsonNode ref : items(object.path("metadata").path("ownerReferences"))) {
            if (Cells.bool(ref, "controller")) {
                String apiVersion = text(ref, "apiVersion");
                String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
                String kind = text(ref, "kind");
                String groupKind = group.isEmpty() ? kind : kind + "." + group;
                return groupKind.isEmpty() ? text(ref, "name")
                        : groupKind.toLowerCase(java.util.Locale.ROOT) + "/" + text(ref, "name");
            }
        }
        return "<none>";
    }

    // --- batch ---

    private static TableConvertor jobs() {
        return printer(List.of(NAME,
                        of("Status", "string", "Status of the job."),
                        of("Completions", "string", "The completion status of the job."),
                        of("Duration", "string", "Time required to complete the job."),
                        AGE, CONTAINERS, IMAGES,
                        wide("Selector", "string", "A label query over pods that should match the pod count.")),
                (o, now) -> {
                    JsonNode spec = o.path("spec");
                    long succeeded = num(o, "status", "succeeded");
                    String completions;
                    if (present(spec, "completions")) {
                        completions = succeeded + "/" + num(spec, "completions");
                    } else {
                        long parallelism = num(spec, "parallelism");
                        completions = parallelism > 1 ? succeeded + "/1 of " + parallelism : succeeded + "/1";
                    }
                    Instant start = Cells.time(o, "status", "startTime");
                    Instant completion = Cells.time(o, "status", "completionTime");
                    String duration = start == null ? ""
                            : HumanDuration.format(Duration.between(start, completion == null ? now : completion));
                    String status;
                    if (hasCondition(o, "Complete")) {
                        status = "Complete";
                    } else if (hasCondition(o, "Failed")) {
                        status = "Failed";
                    } else if (Cells.terminating(o)) {
                        status = "Terminating";
                    } else if (hasCondition(o, "Suspended")) {
                        status = "Suspended";
                    } else if (hasCondition(o, "FailureTarget")) {
                        status = "FailureTarget";
                    } else {
                        status = "Running";
                    }
                    String[] ci = Cells.containerCells(at(spec, "template", "spec"));
                    return cells(name(o), status, completions, duration, age(o, now), ci[0], ci[1],
                            Cells.formatLabelSelector(spec.path("selector")));
                });
    }

    private static boolean hasCondition(JsonNode object, String type) {
        // The first condition of the type decides, as in Kubernetes.
        for (JsonNode c : items(object.path("status").path("conditions"))) {
            if (text(c, "type").equals(type)) {
                return text(c, "status").equals("True");
            }
        }
        return false;
    }

    private static TableConvertor cronJobs() {
        return printer(List.of(NAME,
                        of("Schedule", "string", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
                        of("Timezone", "string", "The time zone name for the given schedule."),
                        of("Suspend", "boolean", "This flag tells the controller to suspend subsequent executions, "
                                + "it does not apply to already started executions."),
                        of("Active", "integer", "A list of pointers to currently running jobs."),
                        of("Last Schedule", "string", "Information when was the last time the job was successfully "
                                + "scheduled."),
                        AGE, CONTAINERS, IMAGES,
                        wide("Selector", "string", "A label query over pods that should match the pod count.")),
                (o, now) -> {
                    JsonNode spec = o.path("spec");
                    String suspend = present(spec, "suspend") ? (Cells.bool(spec, "suspend") ? "True" : "False")
                            : "<unset>";
                    String last = present(o, "status", "lastScheduleTime")
                            ? Cells.since(o, now, "status", "lastScheduleTime") : "<none>";
                    JsonNode jobSpec = at(spec, "jobTemplate", "spec");
                    String[] ci = Cells.containerCells(at(jobSpec, "template", "spec"));
                    return cells(name(o), text(spec, "schedule"), textOr(spec, "<none>", "timeZone"), suspend,
                            (long) o.path("status").path("active").size(), last, age(o, now), ci[0], ci[1],
                            Cells.formatLabelSelector(jobSpec.path("selector")));
                });
    }

    // --- networking, storage, rbac, certificates ---

    private static TableConvertor ingresses() {
        return printer(List.of(NAME,
                        of("Class", "string", "The name of the IngressClass resource that should be used to "
                                + "implement this Ingress."),
                        of("Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule"),
                        of("Address", "string", "Address is a list containing ingress points for the load-balancer"),
                        of("Ports", "string", "Ports of TLS configurations that open"),
                        AGE),
                (o, now) -> {
                    JsonNode spec = o.path("spec");
                    List<JsonNode> rules = items(spec.path("rules"));
                    List<String> hosts = new ArrayList<>();
                    int max = 3;
                    boolean more = false;
                    for (JsonNode rule : rules) {
                        if (hosts.size() == max) {
                            more = true;
                        }
                        if (!more && !text(rule, "host").isEmpty()) {
                            hosts.add(text(rule, "host"));
                        }
                    }
                    String hostCell = hosts.isEmpty() ? "*"
                            : more ? String.join(",", hosts) + " + " + (rules.size() - max) + " more..."
                            : String.join(",", hosts);
                    String ports = spec.path("tls").size() > 0 ? "80, 443" : "80";
                    return cells(name(o), textOr(spec, "<none>", "ingressClassName"), hostCell,
                            loadBalancerIngress(o.path("status").path("loadBalancer")), ports, age(o, now));
                });
    }

    private static String ingressClassParameters(JsonNode ingressClass) {
        JsonNode p = at(ingressClass, "spec", "parameters");
        if (!present(p)) {
            return "<none>";
        }
        String group = textOr(p, "k8s.io", "apiGroup");
        return text(p, "kind") + "." + group + "/" + text(p, "name");
    }

    private static TableConvertor storageClasses() {
        return printer(List.of(NAME,
                        of("Provisioner", "string", "provisioner indicates the type of the provisioner."),
                        of("ReclaimPolicy", "string", "reclaimPolicy controls the reclaimPolicy for dynamically "
                                + "provisioned PersistentVolumes of this storage class."),
                        of("VolumeBindingMode", "string", "volumeBindingMode indicates how PersistentVolumeClaims "
                                + "should be provisioned and bound."),
                        of("AllowVolumeExpansion", "string", "allowVolumeExpansion shows whether the storage class "
                                + "allow volume expand."),
                        AGE),
                (o, now) -> {
                    JsonNode annotations = o.path("metadata").path("annotations");
                    boolean isDefault = text(annotations, "storageclass.kubernetes.io/is-default-class").equals("true")
                            || text(annotations, "storageclass.beta.kubernetes.io/is-default-class").equals("true");
                    return cells(isDefault ? name(o) + " (default)" : name(o), text(o, "provisioner"),
                            textOr(o, "Delete", "reclaimPolicy"), textOr(o, "Immediate", "volumeBindingMode"),
                            Cells.bool(o, "allowVolumeExpansion"), age(o, now));
                });
    }

    private static TableConvertor roleBindings() {
        return printer(List.of(NAME,
                        of("Role", "string", "RoleRef can reference a Role in the current namespace or a ClusterRole "
                                + "in the global namespace."),
                        AGE,
                        wide("Users", "string", "Users in the roleBinding"),
                        wide("Groups", "string", "Groups in the roleBinding"),
                        wide("ServiceAccounts", "string", "ServiceAccounts in the roleBinding")),
                (o, now) -> {
                    List<String> users = new ArrayList<>();
                    List<String> groups = new ArrayList<>();
                    List<String> sas = new ArrayList<>();
                    for (JsonNode s : items(o.path("subjects"))) {
                        switch (text(s, "kind")) {
                            case "User" -> users.add(text(s, "name"));
                            case "Group" -> groups.add(text(s, "name"));
                            case "ServiceAccount" -> sas.add(text(s, "namespace") + "/" + text(s, "name"));
                            default -> { }
                        }
                    }
                    return cells(name(o), text(o, "roleRef", "kind") + "/" + text(o, "roleRef", "name"), age(o, now),
                            String.join(", ", users), String.join(", ", groups), String.join(", ", sas));
                });
    }

    private static TableConvertor certificateSigningRequests() {
        return printer(List.of(NAME, AGE,
                        of("SignerName", "string", "Name of the signer to sign the certificate"),
                        of("Requestor", "string", "Name of the user requesting the certificate."),
                        of("RequestedDuration", "string", "Requested duration of the issued certificate"),
                        of("Condition", "string", "The current condition of the certificate signing request.")),
                (o, now) -> {
                    boolean approved = false;
                    boolean denied = false;
                    boolean failed = false;
                    for (JsonNode c : items(o.path("status").path("conditions"))) {
                        switch (text(c, "type")) {
                            case "Approved" -> approved = true;
                            case "Denied" -> denied = true;
                            case "Failed" -> failed = true;
                            default -> { }
                        }
                    }
                    String status = denied ? "Denied" : approved ? "Approved" : "Pending";
                    if (failed) {
                        status += ",Failed";
                    }
                    if (!text(o, "status", "certificate").isEmpty()) {
                        status += ",Issued";
                    }
                    JsonNode spec = o.path("spec");
                    String requested = present(spec, "expirationSeconds")
                            ? HumanDuration.format(Duration.ofSeconds(num(spec, "expirationSeconds"))) : "<none>";
                    return cells(name(o), age(o, now), textOr(spec, "<none>", "signerName"), text(spec, "username"),
                            requested, status);
                });
    }
}
