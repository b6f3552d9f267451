package dev.berth.app.topology.model;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The topology of one namespace (or of all), built incrementally from informer changes, with no
 * JavaFX: elements for Ingresses, Services, workloads, ReplicaSets, Pods, ConfigMaps, Secrets,
 * PVCs and Nodes, and the edges between them. {@link #apply} returns only what changed.
 *
 * <p>Edges: Ingress → Service (rules and default backend); Service → top-level workload or
 * standalone Pod (selector against pod template labels); Service → Pod (EndpointSlice endpoints,
 * with readiness); owner → owned (controller ownerReferences); pod template → ConfigMap, Secret,
 * PVC (env, envFrom, volumes, projected volumes), drawn from the element that holds the template
 * (the Deployment, not each pod). An edge is shown once both its ends exist.
 *
 * <p>Not thread-safe: one thread (the FX thread, behind a batcher) applies changes and reads.
 */
public final class TopologyModel {
    /** The kinds the model takes; others are ignored. EndpointSlices style Services but are no elements. */
    public static final Set<String> KINDS = Set.of("Ingress", "Service", "EndpointSlice", "Deployment", "StatefulSet",
            "DaemonSet", "Job", "CronJob", "ReplicaSet", "Pod", "ConfigMap", "Secret", "PersistentVolumeClaim", "Node");
    /** Kinds that draw their pods as a grid inside themselves. */
    public static final Set<String> CONTAINERS = Set.of("ReplicaSet", "StatefulSet", "DaemonSet", "Job");
    private static final Set<String> TEMPLATE_HOLDERS = Set.of("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob",
            "ReplicaSet", "Pod");
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private final String namespace;
    private final Map<ElementId, TopologyElement> elements = new LinkedHashMap<>();
    /** Every edge known, visible or not (an end may be missing), by the element whose state makes it. */
    private final Map<ElementId, Map<TopologyEdge.Key, TopologyEdge>> contributed = new HashMap<>();
    private final Map<TopologyEdge.Key, TopologyEdge> edges = new HashMap<>();
    private final Map<ElementId, Set<TopologyEdge.Key>> touching = new HashMap<>();
    /** Selector matching: "ns\0key=value" → Services whose selector has it / template holders whose pod labels have it. */
    private final Map<String, Set<ElementId>> servicesBySelectorLabel = new HashMap<>();
    private final Map<String, Set<ElementId>> selectablesByLabel = new HashMap<>();
    private final Map<ElementId, Map<String, String>> selectors = new HashMap<>();
    private final Map<ElementId, Map<String, String>> templateLabels = new HashMap<>();
    /** EndpointSlice "ns/name" → its Service and its pod endpoints with readiness. */
    private final Map<String, Slice> slices = new HashMap<>();
    private final Map<ElementId, Set<String>> slicesByService = new HashMap<>();
    private final Map<ElementId, ElementId> containerOf = new HashMap<>();
    private final Map<ElementId, TreeSet<ElementId>> podsOf = new HashMap<>();
    private final Map<String, Set<ElementId>> podsByNode = new HashMap<>();
    private final Map<String, Boolean> nodeReady = new HashMap<>();
    /** Deployment → its ReplicaSets, for old/new roles. */
    private final Map<ElementId, Set<ElementId>> replicaSetsOf = new HashMap<>();
    private final Map<ElementId, ElementId> deploymentOf = new HashMap<>();
    private final Map<ElementId, String> nodeOfPod = new HashMap<>();

    private record Slice(ElementId service, Map<ElementId, Boolean> endpoints) {}

    /** A model of {@code namespace}, or of every namespace when it is null. Nodes are always in. */
    public TopologyModel(String namespace) {
        this.namespace = namespace == null || namespace.isEmpty() ? null : namespace;
    }

    /** The namespace shown, null for all. */
    public String namespace() {
        return namespace;
    }

    public TopologyDelta apply(ObjectChange change) {
        return apply(List.of(change));
    }

    /** Applies a batch of changes (in order) and says what they changed. */
    public TopologyDelta apply(Collection<ObjectChange> changes) {
        TopologyDelta d = new TopologyDelta();
        for (ObjectChange c : changes) {
            if (!KINDS.contains(c.kind())) {
                continue;
            }
            String ns = c.object().getMetadata().getNamespace();
            if (namespace != null && !"Node".equals(c.kind()) && !namespace.equals(ns)) {
                continue;
            }
            if ("EndpointSlice".equals(c.kind())) {
                slice(c, d);
            } else if (c.deleted()) {
                remove(ElementId.of(c.kind(), ns, c.object().getMetadata().getName()), d);
            } else {
                upsert(c.kind(), c.object(), d);
            }
        }
        return d;
    }

    // ---- reading

    public TopologyElement get(ElementId id) {
        return elements.get(id);
    }

    public boolean contains(ElementId id) {
        return elements.containsKey(id);
    }

    public Collection<TopologyElement> elements() {
        return java.util.Collections.unmodifiableCollection(elements.values());
    }

    public int size() {
        return elements.size();
    }

    /** The edges whose both ends exist. */
    public List<TopologyEdge> edges() {
        List<TopologyEdge> out = new ArrayList<>();
        for (TopologyEdge e : edges.values()) {
            if (visible(e)) {
                out.add(e);
            }
        }
        return out;
    }

    /** Visible edges that start or end at {@code id}. */
    public List<TopologyEdge> edgesOf(ElementId id) {
        List<TopologyEdge> out = new ArrayList<>();
        for (TopologyEdge.Key k : touching.getOrDefault(id, Set.of())) {
            TopologyEdge e = edges.get(k);
            if (e != null && visible(e)) {
                out.add(e);
            }
        }
        return out;
    }

    /** The container (ReplicaSet, StatefulSet, DaemonSet, Job) a pod belongs to by its controller, whether it exists or not. */
    public ElementId containerOf(ElementId pod) {
        return containerOf.get(pod);
    }

    /** The pods of a container, by name. */
    public List<ElementId> podsOf(ElementId container) {
        TreeSet<ElementId> s = podsOf.get(container);
        return s == null ? List.of() : List.copyOf(s);
    }

    public int podCount(ElementId container) {
        TreeSet<ElementId> s = podsOf.get(container);
        return s == null ? 0 : s.size();
    }

    /** Pods bound to {@code node} (spec.nodeName), by name; "" gives the pods not scheduled yet. */
    public List<ElementId> podsOnNode(String node) {
        Set<ElementId> s = podsByNode.get(node);
        return s == null ? List.of() : s.stream().sorted().toList();
    }

    /** Whether a pod is drawn inside its container (the container exists) rather than on its own. */
    public boolean isContained(ElementId pod) {
        ElementId c = containerOf.get(pod);
        return c != null && elements.containsKey(c);
    }

    // ---- drafts (the compose tools)

    /** Shows a draft element (or replaces one); its edges come with {@link #putDraftEdge}. */
    public TopologyDelta putDraft(TopologyElement draft) {
        if (!draft.draft()) {
            throw new IllegalArgumentException("element " + draft.id() + " is not a draft: putDraft takes elements made with TopologyElement.draft");
        }
        TopologyElement live = elements.get(draft.id());
        if (live != null && !live.draft()) {
            throw new IllegalArgumentException("element " + draft.id() + " exists in the cluster: a draft must have a name of its own");
        }
        TopologyDelta d = new TopologyDelta();
        put(draft, d);
        return d;
    }

    /** An edge from or to a draft, drawn dashed; it shows once both ends exist. */
    public TopologyDelta putDraftEdge(TopologyEdge edge) {
        TopologyDelta d = new TopologyDelta();
        ElementId owner = isDraft(edge.from()) ? edge.from() : edge.to();
        if (!isDraft(owner)) {
            throw new IllegalArgumentException("edge " + edge.key() + " joins no draft: draft edges need a draft at one end");
        }
        putEdge(owner, edge, d);
        return d;
    }

    public TopologyDelta removeDraft(ElementId id) {
        TopologyDelta d = new TopologyDelta();
        if (isDraft(id)) {
            remove(id, d);
        }
        return d;
    }

    public boolean isDraft(ElementId id) {
        TopologyElement e = elements.get(id);
        return e != null && e.draft();
    }

    // ---- changes

    private void upsert(String kind, GenericKubernetesResource o, TopologyDelta d) {
        String ns = o.getMetadata().getNamespace();
        ElementId id = ElementId.of(kind, "Node".equals(kind) ? "" : ns, o.getMetadata().getName());
        TopologyElement el = switch (kind) {
            case "Pod" -> {
                String node = Fields.str(o, "spec", "nodeName");
                PodState s = Styles.pod(o, node == null || nodeReady.getOrDefault(node, true));
                yield new TopologyElement(id, false, Styles.podHealth(s), Styles.podSummary(s), s, null, o);
            }
            default -> {
                Rollout r = Styles.rollout(kind, o);
                if (r != null && kind.equals("ReplicaSet")) {
                    TopologyElement old = elements.get(id);
                    r = r.withRole(old != null && old.rollout() != null ? old.rollout().role() : Rollout.Role.NONE);
                }
                yield new TopologyElement(id, false, Styles.health(kind, o, r), Styles.summary(kind, o, r), null, r, o);
            }
        };
        put(el, d);

        OwnerReference owner = Fields.controller(o);
        ElementId ownerId = owner == null ? null : ElementId.of(owner.getKind(), ns, owner.getName());
        Map<TopologyEdge.Key, TopologyEdge> own = new LinkedHashMap<>();
        if (ownerId != null) {
            TopologyEdge e = TopologyEdge.of(ownerId, id, EdgeType.OWNS);
            own.put(e.key(), e);
        }
        switch (kind) {
            case "Ingress" -> ingressEdges(o, id, own);
            case "Pod" -> pod(id, el, ownerId, d);
            case "Node" -> node(id, el, d);
            case "ReplicaSet" -> replicaSet(id, ownerId, d);
            case "Service" -> service(id, o, d);
            default -> { }
        }
        if (TEMPLATE_HOLDERS.contains(kind)) {
            Object podSpec = podSpec(kind, o);
            if (ownerId == null) {
                configEdges(id, podSpec, own);
            }
            selectable(id, ownerId == null ? templateLabels(kind, o) : null, d);
        }
        replaceOwn(id, own, d);
    }

    private void put(TopologyElement el, TopologyDelta d) {
        TopologyElement old = elements.put(el.id(), el);
        if (old == null) {
            d.added(el);
            for (TopologyEdge.Key k : touching.getOrDefault(el.id(), Set.of())) {
                TopologyEdge e = edges.get(k);
                if (e != null && visible(e)) {
                    d.edgeAdded(e);
                }
            }
        } else if (!sameLook(old, el)) {
            d.restyled(el);
        }
    }

    /** Whether two states of an element draw the same (a new resourceVersion alone changes nothing on the canvas). */
    private static boolean sameLook(TopologyElement a, TopologyElement b) {
        return a.health() == b.health() && a.summary().equals(b.summary()) && a.draft() == b.draft()
                && java.util.Objects.equals(a.pod(), b.pod()) && java.util.Objects.equals(a.rollout(), b.rollout());
    }

    private void remove(ElementId id, TopologyDelta d) {
        TopologyElement old = elements.remove(id);
        if (old == null) {
            return;
        }
        for (TopologyEdge.Key k : touching.getOrDefault(id, Set.of())) {
            TopologyEdge e = edges.get(k);
            ElementId other = e.from().equals(id) ? e.to() : e.from();
            if (elements.containsKey(other)) {
                d.edgeRemoved(e);
            }
        }
        d.removed(id);
        replaceOwn(id, Map.of(), d);
        switch (id.kind()) {
            case "Pod" -> pod(id, null, null, d);
            case "Node" -> {
                nodeReady.remove(id.name());
                for (ElementId p : podsOnNode(id.name())) {
                    restylePodNode(p, true, d);
                }
            }
            case "Service" -> {
                unindexSelector(id);
                for (ElementId w : new ArrayList<>(selectablesFor(id))) {
                    dropEdge(id, new TopologyEdge.Key(id, w, EdgeType.SELECTS), d);
                }
            }
            case "ReplicaSet" -> replicaSet(id, null, d);
            default -> { }
        }
        if (TEMPLATE_HOLDERS.contains(id.kind())) {
            selectable(id, null, d);
        }
        if (podsOf.containsKey(id)) {
            d.regrouped(id);
        }
    }

    private boolean visible(TopologyEdge e) {
        return elements.containsKey(e.from()) && elements.containsKey(e.to());
    }

    /** Sets the edges {@code contributor} makes by its own fields (SELECTS and ENDPOINT edges are kept apart). */
    private void replaceOwn(ElementId contributor, Map<TopologyEdge.Key, TopologyEdge> now, TopologyDelta d) {
        Map<TopologyEdge.Key, TopologyEdge> before = contributed.getOrDefault(contributor, Map.of());
        for (TopologyEdge e : new ArrayList<>(before.values())) {
            if (isOwnType(e.type()) && !now.containsKey(e.key())) {
                dropEdge(contributor, e.key(), d);
            }
        }
        for (TopologyEdge e : now.values()) {
            putEdge(contributor, e, d);
        }
    }

    private static boolean isOwnType(EdgeType t) {
        return t != EdgeType.SELECTS && t != EdgeType.ENDPOINT;
    }

    private void putEdge(ElementId contributor, TopologyEdge e, TopologyDelta d) {
        TopologyEdge old = edges.put(e.key(), e);
        contributed.computeIfAbsent(contributor, k -> new LinkedHashMap<>()).put(e.key(), e);
        touching.computeIfAbsent(e.from(), k -> new HashSet<>()).add(e.key());
        touching.computeIfAbsent(e.to(), k -> new HashSet<>()).add(e.key());
        if (visible(e) && !e.equals(old)) {
            if (old != null) {
                d.edgeRemoved(old);
            }
            d.edgeAdded(e);
        }
    }

    private void dropEdge(ElementId contributor, TopologyEdge.Key key, TopologyDelta d) {
        Map<TopologyEdge.Key, TopologyEdge> mine = contributed.get(contributor);
        if (mine == null || mine.remove(key) == null) {
            return;
        }
        if (mine.isEmpty()) {
            contributed.remove(contributor);
        }
        TopologyEdge e = edges.remove(key);
        unTouch(key.from(), key);
        unTouch(key.to(), key);
        if (e != null && (elements.containsKey(e.from()) || e.from().equals(contributor))
                && (elements.containsKey(e.to()) || e.to().equals(contributor)) && wasVisible(e, contributor)) {
            d.edgeRemoved(e);
        }
    }

    /** An edge was on the canvas if both ends are there now, or the missing end is the contributor being removed (already reported). */
    private boolean wasVisible(TopologyEdge e, ElementId contributor) {
        return elements.containsKey(e.from()) && elements.containsKey(e.to());
    }

    private void unTouch(ElementId id, TopologyEdge.Key key) {
        Set<TopologyEdge.Key> s = touching.get(id);
        if (s != null) {
            s.remove(key);
            if (s.isEmpty()) {
                touching.remove(id);
            }
        }
    }

    // ---- per kind

    private static void ingressEdges(GenericKubernetesResource o, ElementId id, Map<TopologyEdge.Key, TopologyEdge> own) {
        List<String> services = new ArrayList<>();
        String dflt = Fields.str(o, "spec", "defaultBackend", "service", "name");
        if (dflt != null) {
            services.add(dflt);
        }
        for (Object rule : Fields.list(o, "spec", "rules")) {
            for (Object path : Fields.list(rule, "http", "paths")) {
                String s = Fields.str(path, "backend", "service", "name");
                if (s != null) {
                    services.add(s);
                }
            }
        }
        for (String s : services) {
            TopologyEdge e = TopologyEdge.of(id, ElementId.of("Service", id.namespace(), s), EdgeType.ROUTES);
            own.put(e.key(), e);
        }
    }

    private static Object podSpec(String kind, GenericKubernetesResource o) {
        return switch (kind) {
            case "Pod" -> Fields.at(o, "spec");
            case "CronJob" -> Fields.at(o, "spec", "jobTemplate", "spec", "template", "spec");
            default -> Fields.at(o, "spec", "template", "spec");
        };
    }

    private static Map<String, String> templateLabels(String kind, GenericKubernetesResource o) {
        return switch (kind) {
            case "Pod" -> o.getMetadata().getLabels() == null ? Map.of() : o.getMetadata().getLabels();
            case "CronJob" -> Fields.labels(o, "spec", "jobTemplate", "spec", "template", "metadata", "labels");
            default -> Fields.labels(o, "spec", "template", "metadata", "labels");
        };
    }

    /** ConfigMaps, Secrets and PVCs a pod spec uses: env, envFrom, volumes, projected volumes; containers and init containers. */
    static void configEdges(ElementId from, Object podSpec, Map<TopologyEdge.Key, TopologyEdge> out) {
        if (podSpec == null) {
            return;
        }
        List<Object> containers = new ArrayList<>(Fields.list(podSpec, "containers"));
        containers.addAll(Fields.list(podSpec, "initContainers"));
        for (Object c : containers) {
            for (Object ef : Fields.list(c, "envFrom")) {
                ref(from, "ConfigMap", Fields.str(ef, "configMapRef", "name"), out);
                ref(from, "Secret", Fields.str(ef, "secretRef", "name"), out);
            }
            for (Object env : Fields.list(c, "env")) {
                ref(from, "ConfigMap", Fields.str(env, "valueFrom", "configMapKeyRef", "name"), out);
                ref(from, "Secret", Fields.str(env, "valueFrom", "secretKeyRef", "name"), out);
            }
        }
        for (Object v : Fields.list(podSpec, "volumes")) {
            ref(from, "ConfigMap", Fields.str(v, "configMap", "name"), out);
            ref(from, "Secret", Fields.str(v, "secret", "secretName"), out);
            ref(from, "PersistentVolumeClaim", Fields.str(v, "persistentVolumeClaim", "claimName"), out);
            for (Object src : Fields.list(v, "projected", "sources")) {
                ref(from, "ConfigMap", Fields.str(src, "configMap", "name"), out);
                ref(from, "Secret", Fields.str(src, "secret", "name"), out);
            }
        }
    }

    private static void ref(ElementId from, String kind, String name, Map<TopologyEdge.Key, TopologyEdge> out) {
        if (name == null || name.isEmpty()) {
            return;
        }
        EdgeType t = switch (kind) {
            case "ConfigMap" -> EdgeType.USES_CONFIG_MAP;
            case "Secret" -> EdgeType.USES_SECRET;
            default -> EdgeType.MOUNTS;
        };
        TopologyEdge e = TopologyEdge.of(from, ElementId.of(kind, from.namespace(), name), t);
        out.put(e.key(), e);
    }

    private void pod(ElementId id, TopologyElement el, ElementId ownerId, TopologyDelta d) {
        ElementId container = ownerId != null && CONTAINERS.contains(ownerId.kind()) ? ownerId : null;
        ElementId oldContainer = containerOf.get(id);
        if (!java.util.Objects.equals(oldContainer, container)) {
            if (oldContainer != null) {
                TreeSet<ElementId> s = podsOf.get(oldContainer);
                s.remove(id);
                if (s.isEmpty()) {
                    podsOf.remove(oldContainer);
                }
                containerOf.remove(id);
                d.regrouped(oldContainer);
            }
            if (container != null) {
                containerOf.put(id, container);
                podsOf.computeIfAbsent(container, k -> new TreeSet<>()).add(id);
                d.regrouped(container);
            }
        }
        String node = el == null ? null : el.pod().node() == null ? "" : el.pod().node();
        String oldNode = node == null ? nodeOfPod.remove(id) : nodeOfPod.put(id, node);
        if (oldNode != null && !oldNode.equals(node)) {
            Set<ElementId> s = podsByNode.get(oldNode);
            if (s != null && s.remove(id)) {
                if (s.isEmpty()) {
                    podsByNode.remove(oldNode);
                }
                if (!oldNode.isEmpty()) {
                    d.regrouped(ElementId.of("Node", "", oldNode));
                }
            }
        }
        if (node != null && podsByNode.computeIfAbsent(node, k -> new HashSet<>()).add(id) && !node.isEmpty()) {
            d.regrouped(ElementId.of("Node", "", node));
        }
    }

    private void node(ElementId id, TopologyElement el, TopologyDelta d) {
        boolean ready = el.health() != Health.FAILED;
        Boolean before = nodeReady.put(id.name(), ready);
        if (before == null || before != ready) {
            for (ElementId p : podsOnNode(id.name())) {
                restylePodNode(p, ready, d);
            }
        }
    }

    private void restylePodNode(ElementId pod, boolean ready, TopologyDelta d) {
        TopologyElement p = elements.get(pod);
        if (p == null || p.pod() == null || p.pod().nodeReady() == ready) {
            return;
        }
        PodState s = p.pod().withNodeReady(ready);
        put(new TopologyElement(pod, p.draft(), Styles.podHealth(s), Styles.podSummary(s), s, null, p.object()), d);
    }

    private void replicaSet(ElementId id, ElementId ownerId, TopologyDelta d) {
        ElementId deployment = ownerId != null && "Deployment".equals(ownerId.kind()) ? ownerId : null;
        ElementId before = deployment == null ? deploymentOf.remove(id) : deploymentOf.put(id, deployment);
        if (before != null && !before.equals(deployment)) {
            Set<ElementId> s = replicaSetsOf.get(before);
            if (s != null && s.remove(id)) {
                if (s.isEmpty()) {
                    replicaSetsOf.remove(before);
                }
                roles(before, d);
            }
        }
        if (deployment != null) {
            replicaSetsOf.computeIfAbsent(deployment, k -> new HashSet<>()).add(id);
            roles(deployment, d);
        } else if (elements.containsKey(id)) {
            setRole(id, Rollout.Role.NONE, d);
        }
    }

    /** The ReplicaSet of a Deployment with the highest revision is new (filling); the others are old (draining). */
    private void roles(ElementId deployment, TopologyDelta d) {
        Set<ElementId> sets = replicaSetsOf.getOrDefault(deployment, Set.of());
        ElementId newest = null;
        int best = Integer.MIN_VALUE;
        for (ElementId rs : sets) {
            TopologyElement e = elements.get(rs);
            int rev = e == null || e.object() == null ? -1 : revision(e.object());
            if (rev > best || rev == best && newest != null && rs.name().compareTo(newest.name()) < 0) {
                best = rev;
                newest = rs;
            }
        }
        for (ElementId rs : sets) {
            setRole(rs, sets.size() == 1 || rs.equals(newest) ? Rollout.Role.NEW : Rollout.Role.OLD, d);
        }
    }

    private static int revision(GenericKubernetesResource rs) {
        Map<String, String> a = rs.getMetadata().getAnnotations();
        String r = a == null ? null : a.get("deployment.kubernetes.io/revision");
        try {
            return r == null ? 0 : Integer.parseInt(r);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void setRole(ElementId rs, Rollout.Role role, TopologyDelta d) {
        TopologyElement e = elements.get(rs);
        if (e == null || e.rollout() == null || e.rollout().role() == role) {
            return;
        }
        Rollout r = e.rollout().withRole(role);
        put(new TopologyElement(rs, e.draft(), Styles.health("ReplicaSet", e.object(), r),
                Styles.summary("ReplicaSet", e.object(), r), null, r, e.object()), d);
    }

    // ---- Services: selector and endpoints

    private void service(ElementId id, GenericKubernetesResource o, TopologyDelta d) {
        Map<String, String> selector = Fields.labels(o, "spec", "selector");
        Map<String, String> before = selectors.get(id);
        if (!selector.equals(before == null ? Map.of() : before)) {
            unindexSelector(id);
            if (!selector.isEmpty()) {
                selectors.put(id, Map.copyOf(selector));
                for (Map.Entry<String, String> e : selector.entrySet()) {
                    servicesBySelectorLabel.computeIfAbsent(labelKey(id.namespace(), e), k -> new HashSet<>()).add(id);
                }
            }
            Set<ElementId> now = new HashSet<>(selector.isEmpty() ? Set.of() : selectablesFor(id));
            for (TopologyEdge e : List.copyOf(contributed.getOrDefault(id, Map.of()).values())) {
                if (e.type() == EdgeType.SELECTS && !now.contains(e.to())) {
                    dropEdge(id, e.key(), d);
                }
            }
            for (ElementId w : now) {
                putEdge(id, TopologyEdge.of(id, w, EdgeType.SELECTS), d);
            }
        }
        restyleService(id, d);
    }

    private void unindexSelector(ElementId service) {
        Map<String, String> old = selectors.remove(service);
        if (old != null) {
            for (Map.Entry<String, String> e : old.entrySet()) {
                Set<ElementId> s = servicesBySelectorLabel.get(labelKey(service.namespace(), e));
                if (s != null) {
                    s.remove(service);
                    if (s.isEmpty()) {
                        servicesBySelectorLabel.remove(labelKey(service.namespace(), e));
                    }
                }
            }
        }
    }

    /** Template holders in the Service's namespace whose pod labels its selector matches. */
    private Set<ElementId> selectablesFor(ElementId service) {
        Map<String, String> sel = selectors.get(service);
        if (sel == null || sel.isEmpty()) {
            return Set.of();
        }
        Map.Entry<String, String> first = sel.entrySet().iterator().next();
        Set<ElementId> out = new HashSet<>();
        for (ElementId w : selectablesByLabel.getOrDefault(labelKey(service.namespace(), first), Set.of())) {
            if (matches(sel, templateLabels.get(w))) {
                out.add(w);
            }
        }
        return out;
    }

    /** Records (or forgets, labels null) the pod labels of a top-level template holder and joins it to the Services selecting it. */
    private void selectable(ElementId id, Map<String, String> labels, TopologyDelta d) {
        Map<String, String> before = templateLabels.get(id);
        if (java.util.Objects.equals(before, labels)) {
            return;
        }
        if (before != null) {
            for (Map.Entry<String, String> e : before.entrySet()) {
                Set<ElementId> s = selectablesByLabel.get(labelKey(id.namespace(), e));
                if (s != null) {
                    s.remove(id);
                }
            }
            templateLabels.remove(id);
            for (ElementId svc : servicesMatching(id.namespace(), before)) {
                dropEdge(svc, new TopologyEdge.Key(svc, id, EdgeType.SELECTS), d);
            }
        }
        if (labels != null) {
            templateLabels.put(id, Map.copyOf(labels));
            for (Map.Entry<String, String> e : labels.entrySet()) {
                selectablesByLabel.computeIfAbsent(labelKey(id.namespace(), e), k -> new HashSet<>()).add(id);
            }
            for (ElementId svc : servicesMatching(id.namespace(), labels)) {
                putEdge(svc, TopologyEdge.of(svc, id, EdgeType.SELECTS), d);
            }
        }
    }

    private Set<ElementId> servicesMatching(String ns, Map<String, String> labels) {
        Set<ElementId> out = new HashSet<>();
        for (Map.Entry<String, String> e : labels.entrySet()) {
            for (ElementId svc : servicesBySelectorLabel.getOrDefault(labelKey(ns, e), Set.of())) {
                if (matches(selectors.get(svc), labels)) {
                    out.add(svc);
                }
            }
        }
        return out;
    }

    private static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        if (selector == null || selector.isEmpty() || labels == null) {
            return false;
        }
        for (Map.Entry<String, String> e : selector.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static String labelKey(String ns, Map.Entry<String, String> e) {
        return ns + '\0' + e.getKey() + '=' + e.getValue();
    }

    private void slice(ObjectChange c, TopologyDelta d) {
        GenericKubernetesResource o = c.object();
        String ns = o.getMetadata().getNamespace();
        String key = ns + "/" + o.getMetadata().getName();
        Slice old = slices.remove(key);
        if (old != null) {
            Set<String> s = slicesByService.get(old.service());
            if (s != null) {
                s.remove(key);
            }
        }
        Map<String, String> labels = o.getMetadata().getLabels();
        String svcName = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
        ElementId service = svcName == null ? null : ElementId.of("Service", ns, svcName);
        if (!c.deleted() && service != null) {
            Map<ElementId, Boolean> eps = new LinkedHashMap<>();
            for (Object ep : Fields.list(o, "endpoints")) {
                if (!"Pod".equals(Fields.str(ep, "targetRef", "kind"))) {
                    continue;
                }
                String podNs = Fields.str(ep, "targetRef", "namespace");
                // a nil ready condition means unknown, which consumers take as ready
                boolean ready = !Boolean.FALSE.equals(Fields.at(ep, "conditions", "ready"));
                eps.merge(ElementId.of("Pod", podNs == null ? ns : podNs, Fields.str(ep, "targetRef", "name")), ready, Boolean::logicalOr);
            }
            slices.put(key, new Slice(service, eps));
            slicesByService.computeIfAbsent(service, k -> new HashSet<>()).add(key);
        }
        if (old != null) {
            endpointEdges(old.service(), d);
        }
        if (service != null && (old == null || !old.service().equals(service))) {
            endpointEdges(service, d);
        }
    }

    private Map<ElementId, Boolean> endpoints(ElementId service) {
        Map<ElementId, Boolean> all = new LinkedHashMap<>();
        for (String k : slicesByService.getOrDefault(service, Set.of())) {
            Slice s = slices.get(k);
            if (s != null) {
                s.endpoints().forEach((p, r) -> all.merge(p, r, Boolean::logicalOr));
            }
        }
        return all;
    }

    private void endpointEdges(ElementId service, TopologyDelta d) {
        Map<ElementId, Boolean> eps = endpoints(service);
        for (TopologyEdge e : List.copyOf(contributed.getOrDefault(service, Map.of()).values())) {
            if (e.type() == EdgeType.ENDPOINT && !eps.containsKey(e.to())) {
                dropEdge(service, e.key(), d);
            }
        }
        eps.forEach((pod, ready) -> putEdge(service, new TopologyEdge(service, pod, EdgeType.ENDPOINT, ready), d));
        restyleService(service, d);
    }

    private void restyleService(ElementId id, TopologyDelta d) {
        TopologyElement s = elements.get(id);
        if (s == null || s.draft()) {
            return;
        }
        Map<ElementId, Boolean> eps = endpoints(id);
        long ready = eps.values().stream().filter(b -> b).count();
        boolean selects = selectors.containsKey(id);
        Health h = !selects && eps.isEmpty() ? Health.OK : eps.isEmpty() ? Health.WARNING : ready < eps.size() ? Health.WARNING : Health.OK;
        String summary = Styles.summary("Service", s.object(), null) + (selects || !eps.isEmpty() ? ", " + ready + "/" + eps.size() + " endpoints ready" : "");
        put(new TopologyElement(id, false, h, summary, null, null, s.object()), d);
    }
}
