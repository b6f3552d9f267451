package dev.berth.agent.prober;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every verdict change as "container KIND true|false: message (grace N)". */
final class RecordingListener implements ProbeListener {
    record Verdict(String podUid, String container, String containerId, ProbeKind kind, boolean success, String message,
                   Long grace) {
        @Override
        public String toString() {
            return container + " " + kind + " " + success + (grace == null ? "" : " (grace " + grace + ")");
        }
    }

    final List<Verdict> verdicts = new CopyOnWriteArrayList<>();

    @Override
    public void changed(String podUid, String containerName, String containerId, ProbeKind kind, boolean success, String message) {
        throw new AssertionError("DefaultProbes should call the overload with the grace period");
    }

    @Override
    public void changed(String podUid, String containerName, String containerId, ProbeKind kind, boolean success,
                        String message, Long terminationGracePeriodSeconds) {
        verdicts.add(new Verdict(podUid, containerName, containerId, kind, success, message, terminationGracePeriodSeconds));
    }

    List<String> lines() {
        return verdicts.stream().map(Verdict::toString).toList();
    }
}
