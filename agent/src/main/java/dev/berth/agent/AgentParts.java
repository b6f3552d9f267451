package dev.berth.agent;

import dev.berth.agent.podworker.PodStatusSink;
import dev.berth.agent.podworker.PodWorkers;
import dev.berth.agent.podworker.RunningPods;
import dev.berth.agent.prober.ProbeListener;
import dev.berth.agent.prober.Probes;
import dev.berth.agent.runtime.ContainerRuntime;
import dev.berth.agent.volume.PodVolumes;
import dev.berth.core.controller.runtime.EventRecorder;
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
    /** What every part may need. */
    record Wiring(AgentOptions options, KubernetesClient client, List<X509Certificate> clusterCas, EventRecorder events,
                  Clock clock) {
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
