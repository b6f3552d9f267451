package dev.berth.agent;

import dev.berth.agent.network.PodNetwork;
import dev.berth.agent.podworker.PodStatusSink;
import dev.berth.agent.podworker.PodWorkers;
import dev.berth.agent.podworker.RunningPods;
import dev.berth.agent.prober.ProbeListener;
import dev.berth.agent.prober.Probes;
import dev.berth.agent.runtime.ContainerRuntime;
import dev.berth.agent.volume.PodVolumes;
import dev.berth.core.controller.runtime.EventRecorder;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.pki.CertifiedKey;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The parts {@link Agent} is composed of, each made by a factory method so that the agent can be
 * assembled from the real classes ({@link ProductionParts}) or from test doubles. {@link Agent}
 * calls them in this order: runtime, volumes, pod workers (which make their probes), node, and
 * the server once the serving certificate is there.
 */
public interface AgentParts {
    /**
     * What every part may need. {@code informers} are shared, started list+watch caches over the
     * whole cluster (Services, EndpointSlices, Nodes, ...): ask for a type and get the one cache
     * of it in this agent.
     */
    record Wiring(AgentOptions options, KubernetesClient client, List<X509Certificate> clusterCas, EventRecorder events,
                  Clock clock, Informers informers) {
        public Wiring {
            clusterCas = List.copyOf(clusterCas);
        }
    }

    /** The container engine. */
    ContainerRuntime runtime(Wiring w);

    /** Pod volumes under the data dir. */
    PodVolumes volumes(Wiring w);

    /** Probes reporting verdicts to {@code listener} (the pod workers'). */
    Probes probes(Wiring w, ContainerRuntime runtime, ProbeListener listener);

    /**
     * The pod workers, writing status to {@code statusSink}; the pod network is
     * {@link AgentOptions#podNetworkName()}. When they also implement {@link RunningPods}, the
     * server uses them for logs, exec and port-forward.
     */
    PodWorkers podWorkers(Wiring w, ContainerRuntime runtime, PodVolumes volumes, Function<ProbeListener, Probes> probes,
                          PodStatusSink statusSink);

    /**
     * Routes to the other nodes' podCIDRs (host-gw) and the pod network's forwarding and
     * masquerading rules (in {@link ProductionParts}, also the NetworkPolicy filter rules); started
     * once the pod network exists.
     */
    default NetworkPart podRoutes(Wiring w, ContainerRuntime runtime, PodNetwork podNetwork, NodePart node) {
        return NetworkPart.NONE;
    }

    /** Service proxy rules (ClusterIP, NodePort, ...) from Services and EndpointSlices; started once the pod network exists. */
    default NetworkPart serviceProxy(Wiring w, ContainerRuntime runtime, PodNetwork podNetwork, NodePart node) {
        return NetworkPart.NONE;
    }

    /** The node-local cluster DNS server; started once the pod network exists. */
    default NetworkPart clusterDns(Wiring w, ContainerRuntime runtime, PodNetwork podNetwork, NodePart node) {
        return NetworkPart.NONE;
    }

    /** The built-in ingress controller, when {@link AgentOptions#ingress()}; started once the pod network exists. */
    default NetworkPart ingress(Wiring w, ContainerRuntime runtime, PodNetwork podNetwork, NodePart node) {
        return NetworkPart.NONE;
    }

    /** Registers the Node, keeps its status and Lease; calls {@code podCidrChanged} with spec.podCIDR when set or changed. */
    NodePart node(Wiring w, ContainerRuntime runtime, Consumer<String> podCidrChanged);

    /** The agent's HTTPS server on {@link AgentOptions#port()}, serving with {@code serving}. */
    ServerPart server(Wiring w, ContainerRuntime runtime, RunningPods pods, CertifiedKey serving);

    /** The parts this build cannot make, by name; the agent refuses to start while any is missing. */
    default List<String> missing() {
        return List.of();
    }

    /** A running Node reporter. */
    interface NodePart extends AutoCloseable {
        /** Reasons the node is not Ready beyond those the reporter sees itself (an empty list: none). */
        default void readiness(java.util.function.Supplier<List<String>> check) {
        }

        /**
         * Adds conditions to those the reporter writes (for example {@code NetworkUnavailable}); the
         * supplier is asked at every status update, and a condition keeps its transition time while
         * its status is unchanged. Several suppliers may be added.
         */
        default void conditions(java.util.function.Supplier<List<ExtraCondition>> extra) {
        }

        @Override
        void close();
    }

    /** A node condition a part reports, beyond kubelet's own. */
    record ExtraCondition(String type, boolean status, String reason, String message) {
        public ExtraCondition {
            java.util.Objects.requireNonNull(type, "type");
            java.util.Objects.requireNonNull(reason, "reason");
            java.util.Objects.requireNonNull(message, "message");
        }
    }

    /** A running networking part of the node. */
    interface NetworkPart extends AutoCloseable {
        /** A part that does nothing, for builds and tests without it. */
        NetworkPart NONE = () -> {
        };

        /** Stops it; rules a restarted agent would make again may stay, so established traffic is not dropped. */
        @Override
        void close();
    }

    /** A running agent server. */
    interface ServerPart extends AutoCloseable {
        /** The port it listens on. */
        int port();

        /** Serves new connections with a renewed certificate. */
        void useCertificate(CertifiedKey serving);

        @Override
        void close();
    }
}
