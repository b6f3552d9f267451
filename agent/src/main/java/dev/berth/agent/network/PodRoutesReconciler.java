package dev.berth.agent.network;

import dev.berth.agent.AgentParts.ExtraCondition;
import dev.berth.agent.AgentParts.NetworkPart;
import dev.berth.core.controller.runtime.EventRecorder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Keeps the pod network working across nodes: the forwarding and masquerading rules
 * ({@link PodNetworkRules}), host-gw routes to the other nodes' podCIDRs ({@link HostGwRoutes}),
 * and the node's {@code NetworkUnavailable} condition, which says what a person must fix when IP
 * forwarding is off, a peer is not on a directly connected subnet, or the iptables or ip tools are
 * missing. Node events only enqueue a sync (when a node's podCIDR or InternalIP changed); one
 * worker thread syncs, level-triggered, from the Node cache, and again every resync period, which
 * also puts back rules and routes somebody removed. Closing stops the worker and leaves rules and
 * routes in place, so a restarted agent does not drop traffic.
 */
public final class PodRoutesReconciler implements NetworkPart {
    /** The node condition type, as Kubernetes names it. */
    public static final String CONDITION = "NetworkUnavailable";
    /** Reason of a False condition: routes (and rules) are in place. */
    public static final String ROUTE_CREATED = "RouteCreated";
    public static final String TOOLS_MISSING = "NetworkToolsMissing";
    public static final String IP_FORWARDING_DISABLED = "IPForwardingDisabled";
    public static final String RULES_FAILED = "NetworkRulesFailed";
    public static final String NO_ROUTE_CREATED = "NoRouteCreated";
    public static final String PEER_NOT_DIRECTLY_CONNECTED = "PeerNotDirectlyConnected";
    /** How often rules, routes and forwarding are looked at again without a Node event. */
    public static final Duration DEFAULT_RESYNC = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(PodRoutesReconciler.class);

    /** Runs a command; {@link HostCommand#run} in production. */
    @FunctionalInterface
    public interface Shell {
        HostCommand.Result run(List<String> argv, String stdin);
    }

    /**
     * @param nodeName    this node
     * @param namePrefix  the agent's name prefix; its hash names the chains
     * @param clusterCidr the cluster's pod range
     * @param serviceCidr the Service range (never masqueraded to)
     * @param resync      the period of the full sync
     */
    public record Settings(String nodeName, String namePrefix, String clusterCidr, String serviceCidr, Duration resync) {
        public Settings {
            Objects.requireNonNull(nodeName, "nodeName");
            Objects.requireNonNull(namePrefix, "namePrefix");
            Objects.requireNonNull(clusterCidr, "clusterCidr");
            Objects.requireNonNull(serviceCidr, "serviceCidr");
            if (resync == null || resync.isNegative() || resync.isZero()) {
                throw new IllegalArgumentException("resync " + resync + " must be a positive duration");
            }
        }
    }

    /** A reason the pod network does not work, with what to do about it. */
    record Problem(String reason, String message) {
    }

    private final Settings settings;
    private final PodNetwork podNetwork;
    private final Shell shell;
    private final Predicate<String> toolAvailable;
    private final Supplier<List<Node>> nodes;
    private final Function<String, Node> nodeByName;
    private final EventRecorder events;
    private final PodNetworkRules rules;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("pod-routes").daemon(true).factory());
    private volatile ExtraCondition condition;
    private volatile boolean closed;
    private Runnable detach = () -> { };

    /**
     * @param toolAvailable whether a program is on the PATH ({@link HostCommand#available})
     * @param nodes         every Node, from the shared cache
     * @param nodeByName    one Node from the cache, or null
     */
    public PodRoutesReconciler(Settings settings, PodNetwork podNetwork, Shell shell, Predicate<String> toolAvailable,
                               Supplier<List<Node>> nodes, Function<String, Node> nodeByName, EventRecorder events) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.podNetwork = Objects.requireNonNull(podNetwork, "podNetwork");
        this.shell = Objects.requireNonNull(shell, "shell");
        this.toolAvailable = Objects.requireNonNull(toolAvailable, "toolAvailable");
        this.nodes = Objects.requireNonNull(nodes, "nodes");
        this.nodeByName = Objects.requireNonNull(nodeByName, "nodeByName");
        this.events = Objects.requireNonNull(events, "events");
        this.rules = new PodNetworkRules(settings.namePrefix());
    }

    /** Follows {@code informer}'s Node events and starts the periodic sync (the first one at once). */
    public PodRoutesReconciler start(SharedIndexInformer<Node> informer) {
        ResourceEventHandler<Node> handler = new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                enqueue();
            }

            @Override
            public void onUpdate(Node before, Node after) {
                if (!routingKey(before).equals(routingKey(after))) enqueue();
            }

            @Override
            public void onDelete(Node node, boolean deletedFinalStateUnknown) {
                enqueue();
            }
        };
        if (informer != null) {
            informer.addEventHandler(handler);
            detach = () -> informer.removeEventHandler(handler);
        }
        worker.scheduleWithFixedDelay(this::syncQuietly, 0, settings.resync().toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** What in a Node changes its route: podCIDR and InternalIP. */
    static String routingKey(Node node) {
        String cidr = node.getSpec() == null ? null : node.getSpec().getPodCIDR();
        return cidr + "|" + HostGwRoutes.internalIpv4(node).orElse("");
    }

    /** Asks for a sync soon; several asks before it runs make one sync. */
    public void enqueue() {
        if (closed || !pending.compareAndSet(false, true)) return;
        try {
            worker.execute(() -> {
                pending.set(false);
                syncQuietly();
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    /** The NetworkUnavailable condition as of the last sync; empty before the first one and after close. */
    public List<ExtraCondition> conditions() {
        ExtraCondition c = condition;
        return closed || c == null ? List.of() : List.of(c);
    }

    private void syncQuietly() {
        try {
            sync();
        } catch (RuntimeException e) {
            log.warn("node {}: pod network sync failed: {}", settings.nodeName(), e.toString());
        }
    }

    /** One full sync: rules, routes, forwarding; updates the condition and records an Event when it changed. */
    public synchronized ExtraCondition sync() {
        List<Problem> problems = new ArrayList<>();
        boolean iptables = toolAvailable.test("iptables-save") && toolAvailable.test("iptables-restore");
        boolean ip = toolAvailable.test("ip");
        if (!iptables) {
            problems.add(new Problem(TOOLS_MISSING, "the iptables tools (iptables-save, iptables-restore) are missing:"
                    + " install the iptables package"));
        }
        if (!ip) {
            problems.add(new Problem(TOOLS_MISSING, "the ip tool is missing: install the iproute2 package"));
        }
        HostCommand.Result forwarding = runQuietly(List.of("cat", "/proc/sys/net/ipv4/ip_forward"));
        if (forwarding != null && forwarding.ok() && forwarding.stdout().strip().equals("0")) {
            problems.add(new Problem(IP_FORWARDING_DISABLED, "IP forwarding is off: run sysctl -w net.ipv4.ip_forward=1"
                    + " (and set net.ipv4.ip_forward=1 in /etc/sysctl.conf to keep it after a reboot)"));
        }
        if (iptables) {
            try {
                applyRules();
            } catch (RuntimeException e) {
                problems.add(new Problem(RULES_FAILED, "cannot program the pod network's iptables rules: " + e.getMessage()));
            }
        }
        int routes = 0;
        if (ip) {
            try {
                HostGwRoutes.Plan plan = applyRoutes();
                routes = plan.routes().size();
                for (HostGwRoutes.Unreachable u : plan.unreachable()) {
                    problems.add(new Problem(PEER_NOT_DIRECTLY_CONNECTED, "no route to the pods of node " + u.node()
                            + ": " + u.reason() + "; host-gw routing needs every node on one directly connected subnet"
                            + " (same L2 network): put the nodes on one subnet, or route the other node's podCIDR"
                            + " through a router or an overlay"));
                }
            } catch (RuntimeException e) {
                problems.add(new Problem(NO_ROUTE_CREATED, "cannot install the routes to the other nodes' pods: "
                        + e.getMessage()));
            }
        }
        ExtraCondition next = condition(problems, routes);
        ExtraCondition previous = condition;
        condition = next;
        if (previous == null ? next.status() : previous.status() != next.status() || !previous.reason().equals(next.reason())) {
            HasMetadata regarding = regarding();
            if (next.status()) {
                log.warn("node {}: {} ({}): {}", settings.nodeName(), CONDITION, next.reason(), next.message());
                events.warning(regarding, next.reason(), "%s", next.message());
            } else {
                log.info("node {}: the pod network works again: {}", settings.nodeName(), next.message());
                events.normal(regarding, next.reason(), "%s", next.message());
            }
        }
        return next;
    }

    /** The condition from what is wrong: the first problem's reason, every problem's message. */
    static ExtraCondition condition(List<Problem> problems, int routes) {
        if (problems.isEmpty()) {
            return new ExtraCondition(CONDITION, false, ROUTE_CREATED, routes == 0
                    ? "the pod network's rules are in place; no other node has pods to route to"
                    : "the pod network's rules and routes to the pods of " + routes + " other node(s) are in place");
        }
        List<String> messages = problems.stream().map(Problem::message).distinct().toList();
        return new ExtraCondition(CONDITION, true, problems.getFirst().reason(), String.join("; ", messages));
    }

    private void applyRules() {
        String filter = check(List.of("iptables-save", "-t", "filter"), null);
        String nat = check(List.of("iptables-save", "-t", "nat"), null);
        String input = rules.restoreInput(settings.clusterCidr(), settings.serviceCidr(), filter, nat);
        check(List.of("iptables-restore", "--noflush"), input);
    }

    private HostGwRoutes.Plan applyRoutes() {
        List<HostGwRoutes.Subnet> connected = HostGwRoutes.parseAddresses(check(List.of("ip", "-4", "-o", "addr", "show"), null));
        HostGwRoutes.Plan plan = HostGwRoutes.plan(settings.nodeName(), podNetwork.cidr(), nodes.get(), connected);
        Map<String, String> installed = HostGwRoutes.parseRoutes(check(List.of("ip", "-4", "route", "show", "proto",
                Integer.toString(HostGwRoutes.PROTOCOL)), null));
        List<String> batch = HostGwRoutes.batch(plan.routes(), installed);
        if (!batch.isEmpty()) {
            log.info("node {}: routes to other nodes' pods: {}", settings.nodeName(), batch);
            check(List.of("ip", "-force", "-batch", "-"), String.join("\n", batch) + "\n");
        }
        return plan;
    }

    /** Removes this agent's rules (for uninstalling, and for tests); routes go with {@link #removeRoutes}. */
    public static void removeRules(Shell shell, String namePrefix) {
        PodNetworkRules r = new PodNetworkRules(namePrefix);
        String filter = check(shell, List.of("iptables-save", "-t", "filter"), null);
        String nat = check(shell, List.of("iptables-save", "-t", "nat"), null);
        check(shell, List.of("iptables-restore", "--noflush"), r.removalInput(filter, nat));
    }

    /** Removes every route the agent installed (protocol {@link HostGwRoutes#PROTOCOL}). */
    public static void removeRoutes(Shell shell) {
        check(shell, List.of("ip", "-4", "route", "flush", "proto", Integer.toString(HostGwRoutes.PROTOCOL)), null);
    }

    private HasMetadata regarding() {
        Node node = nodeByName.apply(settings.nodeName());
        return node != null ? node : new NodeBuilder().withNewMetadata().withName(settings.nodeName()).endMetadata().build();
    }

    private HostCommand.Result runQuietly(List<String> argv) {
        try {
            return shell.run(argv, null);
        } catch (RuntimeException e) {
            log.debug("{} failed: {}", argv, e.toString());
            return null;
        }
    }

    private String check(List<String> argv, String stdin) {
        return check(shell, argv, stdin);
    }

    private static String check(Shell shell, List<String> argv, String stdin) {
        HostCommand.Result r = shell.run(argv, stdin);
        if (!r.ok()) {
            throw new HostCommand.CommandFailedException(String.join(" ", argv) + " failed with exit code " + r.exitCode()
                    + ": " + r.stderr().strip(), r, null);
        }
        return r.stdout();
    }

    @Override
    public void close() {
        closed = true;
        detach.run();
        worker.shutdownNow();
    }
}
