package dev.berth.agent;

import dev.berth.agent.node.NodeStatusReporter;
import dev.berth.agent.podworker.PodStatusSink;
import dev.berth.agent.podworker.PodWorkers;
import dev.berth.agent.podworker.RunningPods;
import dev.berth.agent.prober.DefaultProbes;
import dev.berth.agent.prober.ProbeListener;
import dev.berth.agent.prober.Probes;
import dev.berth.agent.runtime.ContainerRuntime;
import dev.berth.agent.volume.PodVolumes;
import dev.berth.core.pki.CertifiedKey;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The real parts of the agent. Each factory is one line once its class is in the build; until then
 * it is listed in {@link #missing()} and {@code berth agent} refuses to start, naming it, rather
 * than pretending to run pods.
 */
public final class ProductionParts implements AgentParts {
    static final String RUNTIME = "the Docker runtime (dev.berth.agent.runtime.docker.DockerRuntime)";
    static final String VOLUMES = "pod volumes (dev.berth.agent.volume.DefaultPodVolumes)";
    static final String WORKERS = "pod workers (dev.berth.agent.podworker.DefaultPodWorkers)";
    static final String SERVER = "the agent's HTTPS server (dev.berth.agent.server.AgentServer)";

    @Override
    public List<String> missing() {
        return List.of(RUNTIME, VOLUMES, WORKERS, SERVER);
    }

    @Override
    public ContainerRuntime runtime(Wiring w) {
        throw missing(RUNTIME);
    }

    @Override
    public PodVolumes volumes(Wiring w) {
        throw missing(VOLUMES);
    }

    @Override
    public Probes probes(Wiring w, ContainerRuntime runtime, ProbeListener listener) {
        DefaultProbes probes = new DefaultProbes(runtime, listener, w.events(), w.clock());
        probes.start();
        return probes;
    }

    @Override
    public PodWorkers podWorkers(Wiring w, ContainerRuntime runtime, PodVolumes volumes,
                                 Function<ProbeListener, Probes> probes, PodStatusSink statusSink) {
        throw missing(WORKERS);
    }

    @Override
    public NodePart node(Wiring w, ContainerRuntime runtime, Consumer<String> podCidrChanged) {
        AgentOptions o = w.options();
        NodeStatusReporter reporter = new NodeStatusReporter(w.client(), runtime, o.nodeName(),
                o.nodeIp().map(InetAddress::getHostAddress).orElse(null), o.dataDir(), o.port(), Map.of(), w.clock());
        reporter.onPodCidr(podCidrChanged);
        reporter.start();
        return reporter::close;
    }

    @Override
    public ServerPart server(Wiring w, ContainerRuntime runtime, RunningPods pods, CertifiedKey serving) {
        throw missing(SERVER);
    }

    private static IllegalStateException missing(String part) {
        return new IllegalStateException(part + " is not part of this build");
    }
}
