package dev.berth.agent.podworker;

import dev.berth.agent.prober.ProbeKind;
import dev.berth.agent.prober.ProbeListener;
import dev.berth.agent.prober.ProbeTarget;
import dev.berth.agent.prober.Probes;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Probes whose verdicts a test sets: ready and started unless told otherwise. */
final class FakeProbes implements Probes {
    final ProbeListener listener;
    final List<ProbeTarget> added = new CopyOnWriteArrayList<>();
    final Map<String, Boolean> ready = new ConcurrentHashMap<>();
    final Map<String, Boolean> started = new ConcurrentHashMap<>();
    volatile boolean closed;

    FakeProbes(ProbeListener listener) {
        this.listener = listener;
    }

    /** Sets a readiness verdict and tells the listener, as a prober does when it changes. */
    void setReady(String podUid, String container, String containerId, boolean value) {
        ready.put(podUid + "/" + container, value);
        listener.changed(podUid, container, containerId, ProbeKind.READINESS, value, value ? "" : "not ready");
    }

    void failLiveness(String podUid, String container, String containerId) {
        listener.changed(podUid, container, containerId, ProbeKind.LIVENESS, false, "HTTP probe failed with statuscode: 500");
    }

    @Override
    public void add(ProbeTarget target) {
        added.add(target);
    }

    @Override
    public void remove(String podUid, String containerName) {
    }

    @Override
    public void removePod(String podUid) {
    }

    @Override
    public boolean ready(String podUid, String containerName) {
        return ready.getOrDefault(podUid + "/" + containerName, true);
    }

    @Override
    public boolean started(String podUid, String containerName) {
        return started.getOrDefault(podUid + "/" + containerName, true);
    }

    @Override
    public void close() {
        closed = true;
    }
}
