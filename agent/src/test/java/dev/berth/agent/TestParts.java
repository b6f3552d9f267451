package dev.berth.agent;

import dev.berth.agent.podworker.PodStatusSink;
import dev.berth.agent.podworker.PodWorkers;
import dev.berth.agent.podworker.RunningPods;
import dev.berth.agent.prober.ProbeListener;
import dev.berth.agent.prober.Probes;
import dev.berth.agent.runtime.ContainerRuntime;
import dev.berth.agent.volume.PodVolumes;
import dev.berth.core.pki.CertifiedKey;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Test doubles of the agent's parts: a recording runtime, pod workers that record what they are
 * handed (and report a pod terminated as soon as it is deleted), volumes with a fixed set of pod
 * directories, a Node part that registers the Node and reports its podCIDR, and a server that
 * keeps the certificate it was given.
 */
class TestParts implements AgentParts {
    final RecordingRuntime runtime;
    final RecordingWorkers workers = new RecordingWorkers();
    final Set<String> volumeDirs = ConcurrentHashMap.newKeySet();
    final List<String> tornDown = new CopyOnWriteArrayList<>();
    final List<CertifiedKey> served = new CopyOnWriteArrayList<>();
    volatile PodStatusSink statusSink;

    TestParts(String nodeName) {
        this.runtime = new RecordingRuntime(nodeName);
    }

    @Override
    public ContainerRuntime runtime(Wiring w) {
        return runtime;
    }

    @Override
    public PodVolumes volumes(Wiring w) {
        return new PodVolumes() {
            @Override
            public Map<String, Path> setUp(Pod pod) {
                return Map.of();
            }

            @Override
            public void tearDown(String podUid) {
                tornDown.add(podUid);
                volumeDirs.remove(podUid);
            }

            @Override
            public Set<String> podUidsOnDisk() {
                return Set.copyOf(volumeDirs);
            }
        };
    }

    @Override
    public Probes probes(Wiring w, ContainerRuntime runtime, ProbeListener listener) {
        throw new UnsupportedOperationException("the recording workers make no probes");
    }

    @Override
    public PodWorkers podWorkers(Wiring w, ContainerRuntime runtime, PodVolumes volumes,
                                 Function<ProbeListener, Probes> probes, PodStatusSink statusSink) {
        this.statusSink = statusSink;
        return workers;
    }

    @Override
    public NodePart node(Wiring w, ContainerRuntime runtime, Consumer<String> podCidrChanged) {
        String name = w.options().nodeName();
        w.client().nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress("127.0.0.1").endAddress()
                .addNewAddress().withType("Hostname").withAddress(name).endAddress().endStatus().build()).create();
        // an informer lists before it watches: a podCIDR assigned right after the create is not missed
        var informer = w.client().nodes().withName(name).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                report(node);
            }

            @Override
            public void onUpdate(Node oldNode, Node node) {
                report(node);
            }

            @Override
            public void onDelete(Node node, boolean deletedFinalStateUnknown) {
            }

            private void report(Node node) {
                if (node.getSpec() != null && node.getSpec().getPodCIDR() != null) {
                    podCidrChanged.accept(node.getSpec().getPodCIDR());
                }
            }
        });
        return informer::stop;
    }

    @Override
    public ServerPart server(Wiring w, ContainerRuntime runtime, RunningPods pods, CertifiedKey serving) {
        served.add(serving);
        return new ServerPart() {
            @Override
            public int port() {
                return 0;
            }

            @Override
            public void useCertificate(CertifiedKey key) {
                served.add(key);
            }

            @Override
            public void close() {
            }
        };
    }

    /** Records syncs and terminations; a pod with a deletionTimestamp or one terminated is reported terminated at once. */
    static final class RecordingWorkers implements PodWorkers {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final Set<String> uids = ConcurrentHashMap.newKeySet();
        private final List<Consumer<Pod>> listeners = new CopyOnWriteArrayList<>();

        @Override
        public void sync(Pod pod) {
            boolean deleting = pod.getMetadata().getDeletionTimestamp() != null;
            calls.add("sync " + pod.getMetadata().getName() + (deleting ? " deleting" : ""));
            uids.add(pod.getMetadata().getUid());
            if (deleting) terminated(pod);
        }

        @Override
        public void terminate(Pod lastKnown) {
            calls.add("terminate " + lastKnown.getMetadata().getName());
            terminated(lastKnown);
        }

        private void terminated(Pod pod) {
            uids.remove(pod.getMetadata().getUid());
            listeners.forEach(l -> l.accept(pod));
        }

        @Override
        public Set<String> podUids() {
            return Set.copyOf(uids);
        }

        @Override
        public void onTerminated(Consumer<Pod> listener) {
            listeners.add(listener);
        }

        @Override
        public void close() {
            calls.add("close");
        }
    }
}
