package dev.berth.agent.podworker;

import dev.berth.agent.runtime.ContainerInfo;
import dev.berth.agent.runtime.ContainerState;
import dev.berth.agent.runtime.RuntimeLabels;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateTerminatedBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HostIPBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodReadinessGate;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** The pod status as kubelet's generateAPIPodStatus computes it: pure functions over what the runtime reports. */
final class PodStatuses {
    static final Set<String> KUBELET_CONDITIONS =
            Set.of("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled");

    /** Why a container waits, decided by the last sync (CrashLoopBackOff, ErrImagePull, CreateContainerConfigError, ...). */
    record Waiting(String reason, String message) {
    }

    /** Everything the status is computed from. */
    record Input(Pod pod, PodStatus previous, Map<String, List<ContainerInfo>> instances, Map<String, Waiting> waiting,
                 boolean sandboxReady, String podIp, String hostIp, Instant startTime, String reason, String message,
                 boolean terminating, ReadyFlags flags, String runtimeName, Function<ContainerInfo, String> terminationMessage,
                 Instant now) {
    }

    /** Readiness and startup of running app containers, as the prober says. */
    interface ReadyFlags {
        boolean ready(String containerName);

        boolean started(String containerName);
    }

    private PodStatuses() {
    }

    static PodStatus compute(Input in) {
        Pod pod = in.pod();
        boolean hasInit = !pod.getSpec().getInitContainers().isEmpty();
        String defaultReason = hasInit ? "PodInitializing" : "ContainerCreating";
        List<ContainerStatus> inits = new ArrayList<>();
        List<String> sidecars = new ArrayList<>();
        for (Container c : pod.getSpec().getInitContainers()) {
            ContainerStatus cs = containerStatus(in, c, defaultReason);
            boolean running = cs.getState().getRunning() != null;
            ContainerStateTerminated t = cs.getState().getTerminated();
            if (PodWorker.isSidecar(c)) {
                sidecars.add(c.getName());
                boolean started = running && in.flags().started(c.getName());
                cs.setStarted(started);
                cs.setReady(started && in.flags().ready(c.getName()));
            } else {
                cs.setReady(t != null && t.getExitCode() == 0);
                cs.setStarted(running);
            }
            inits.add(cs);
        }
        List<ContainerStatus> apps = new ArrayList<>();
        for (Container c : pod.getSpec().getContainers()) {
            ContainerStatus cs = containerStatus(in, c, defaultReason);
            boolean running = cs.getState().getRunning() != null;
            boolean started = running && in.flags().started(c.getName());
            cs.setStarted(started);
            cs.setReady(started && in.flags().ready(c.getName()));
            apps.add(cs);
        }
        PodStatus prev = in.previous() == null ? new PodStatus() : in.previous();
        boolean regularStarted = apps.stream().anyMatch(cs -> cs.getState().getWaiting() == null
                || cs.getLastState() != null && cs.getLastState().getTerminated() != null);
        List<ContainerStatus> phaseInits = inits.stream().filter(cs -> !sidecars.contains(cs.getName())
                || !(regularStarted || Boolean.TRUE.equals(cs.getStarted()))).toList();
        String phase = "Failed".equals(forcedPhase(in)) ? "Failed" : phase(pod, phaseInits, apps, in.terminating());
        if ("Succeeded".equals(prev.getPhase()) || "Failed".equals(prev.getPhase())) {
            phase = prev.getPhase(); // a pod that finished never runs again
        }
        String ts = timestamp(in.now());
        List<PodCondition> conditions = new ArrayList<>();
        conditions.add(condition(prev, "PodReadyToStartContainers", in.sandboxReady() ? "True" : "False", null, null, ts));

        List<String> incompleteInit = new ArrayList<>();
        for (ContainerStatus cs : inits) {
            ContainerStateTerminated t = cs.getState().getTerminated();
            boolean done = t != null && t.getExitCode() == 0
                    || sidecars.contains(cs.getName()) && (regularStarted || Boolean.TRUE.equals(cs.getStarted()));
            if (!done) {
                incompleteInit.add(cs.getName());
            }
        }
        boolean succeeded = phase.equals("Succeeded");
        if (incompleteInit.isEmpty() || succeeded) {
            conditions.add(condition(prev, "Initialized", "True", null, null, ts));
        } else {
            conditions.add(condition(prev, "Initialized", "False", "ContainersNotInitialized",
                    "containers with incomplete status: [" + String.join(" ", incompleteInit) + "]", ts));
        }
        List<String> unready = new ArrayList<>();
        inits.stream().filter(cs -> sidecars.contains(cs.getName()) && !Boolean.TRUE.equals(cs.getReady()))
                .forEach(cs -> unready.add(cs.getName()));
        apps.stream().filter(cs -> !Boolean.TRUE.equals(cs.getReady())).forEach(cs -> unready.add(cs.getName()));
        List<String> unmetGates = new ArrayList<>();
        for (PodReadinessGate gate : pod.getSpec().getReadinessGates()) {
            PodCondition c = find(prev.getConditions(), gate.getConditionType());
            if (c == null || !"True".equals(c.getStatus())) {
                unmetGates.add(gate.getConditionType());
            }
        }
        PodCondition containersReady;
        PodCondition ready;
        if (phase.equals("Succeeded") || phase.equals("Failed")) {
            containersReady = condition(prev, "ContainersReady", "False", "PodCompleted", null, ts);
            ready = condition(prev, "Ready", "False", "PodCompleted", null, ts);
        } else if (!unready.isEmpty()) {
            String msg = "containers with unready status: [" + String.join(" ", unready) + "]";
            containersReady = condition(prev, "ContainersReady", "False", "ContainersNotReady", msg, ts);
            ready = condition(prev, "Ready", "False", "ContainersNotReady", msg, ts);
        } else if (!unmetGates.isEmpty()) {
            containersReady = condition(prev, "ContainersReady", "True", null, null, ts);
            ready = condition(prev, "Ready", "False", "ReadinessGatesNotReady",
                    "corresponding condition of pod readiness gate \"" + unmetGates.get(0) + "\" does not exist.", ts);
        } else {
            containersReady = condition(prev, "ContainersReady", "True", null, null, ts);
            ready = condition(prev, "Ready", "True", null, null, ts);
        }
        conditions.add(ready);
        conditions.add(containersReady);
        PodCondition scheduled = find(prev.getConditions(), "PodScheduled");
        if (scheduled == null && pod.getStatus() != null) {
            scheduled = find(pod.getStatus().getConditions(), "PodScheduled");
        }
        conditions.add(scheduled != null ? scheduled
                : new PodConditionBuilder().withType("PodScheduled").withStatus("True").withLastTransitionTime(ts).build());
        // Conditions others own (readiness gates, DisruptionTarget) are kept as they are.
        List<PodCondition> others = pod.getStatus() == null ? List.of() : pod.getStatus().getConditions();
        for (PodCondition c : others) {
            if (!KUBELET_CONDITIONS.contains(c.getType())) {
                conditions.add(c);
            }
        }

        PodStatusBuilder b = new PodStatusBuilder()
                .withPhase(phase)
                .withConditions(conditions)
                .withHostIP(in.hostIp())
                .withHostIPs(new HostIPBuilder().withIp(in.hostIp()).build())
                .withStartTime(in.startTime() == null ? null : timestamp(in.startTime()))
                .withInitContainerStatuses(inits)
                .withContainerStatuses(apps)
                .withQosClass(qosClass(pod));
        if (!in.podIp().isEmpty()) {
            b.withPodIP(in.podIp()).withPodIPs(new PodIPBuilder().withIp(in.podIp()).build());
        }
        if (in.reason() != null) {
            b.withReason(in.reason()).withMessage(in.message());
        }
        if (pod.getStatus() != null && pod.getStatus().getNominatedNodeName() != null) {
            b.withNominatedNodeName(pod.getStatus().getNominatedNodeName());
        }
        return b.build();
    }

    private static String forcedPhase(Input in) {
        return in.reason() != null ? "Failed" : null;
    }

    private static ContainerStatus containerStatus(Input in, Container c, String defaultReason) {
        List<ContainerInfo> list = in.instances().getOrDefault(c.getName(), List.of());
        ContainerInfo latest = list.isEmpty() ? null : list.get(0);
        ContainerInfo previous = list.size() > 1 ? list.get(1) : null;
        Waiting waiting = in.waiting().get(c.getName());
        ContainerStatusBuilder b = new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage())
                .withImageID("").withRestartCount(0).withReady(false).withStarted(false);
        if (latest == null) {
            ContainerStatus old = previousStatus(in, c.getName());
            if (old != null && waiting == null && old.getState() != null && old.getState().getTerminated() != null) {
                // The runtime lost a container that had finished (a node restart): its last known state stands.
                return new ContainerStatusBuilder(old).withImage(c.getImage()).build();
            }
            Waiting w = waiting != null ? waiting : new Waiting(defaultReason, null);
            return b.withState(waitingState(w)).withLastState(new ContainerStateBuilder().build()).build();
        }
        b.withRestartCount(attempt(latest))
                .withImageID(latest.imageId().isEmpty() ? "" : in.runtimeName() + "://" + latest.imageId())
                .withContainerID(in.runtimeName() + "://" + latest.id());
        switch (latest.state()) {
            case RUNNING -> {
                b.withState(new ContainerStateBuilder().withNewRunning().withStartedAt(timestamp(latest.startedAt()))
                        .endRunning().build());
                b.withLastState(previous != null && previous.state() == ContainerState.EXITED
                        ? new ContainerStateBuilder().withTerminated(terminated(in, previous)).build()
                        : new ContainerStateBuilder().build());
            }
            case EXITED -> {
                if (waiting != null) {
                    b.withState(waitingState(waiting))
                            .withLastState(new ContainerStateBuilder().withTerminated(terminated(in, latest)).build());
                } else {
                    b.withState(new ContainerStateBuilder().withTerminated(terminated(in, latest)).build());
                    b.withLastState(previous != null && previous.state() == ContainerState.EXITED
                            ? new ContainerStateBuilder().withTerminated(terminated(in, previous)).build()
                            : new ContainerStateBuilder().build());
                }
            }
            default -> {
                Waiting w = waiting != null ? waiting : new Waiting("ContainerCreating", null);
                b.withState(waitingState(w));
                b.withLastState(previous != null && previous.state() == ContainerState.EXITED
                        ? new ContainerStateBuilder().withTerminated(terminated(in, previous)).build()
                        : new ContainerStateBuilder().build());
            }
        }
        return b.build();
    }

    private static ContainerStatus previousStatus(Input in, String name) {
        if (in.previous() == null) {
            return null;
        }
        List<ContainerStatus> all = new ArrayList<>(in.previous().getContainerStatuses());
        all.addAll(in.previous().getInitContainerStatuses());
        for (ContainerStatus cs : all) {
            if (name.equals(cs.getName())) {
                return cs;
            }
        }
        return null;
    }

    static int attempt(ContainerInfo c) {
        try {
            return Integer.parseInt(c.label(RuntimeLabels.ATTEMPT));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static io.fabric8.kubernetes.api.model.ContainerState waitingState(Waiting w) {
        return new ContainerStateBuilder().withNewWaiting().withReason(w.reason()).withMessage(w.message()).endWaiting().build();
    }

    private static ContainerStateTerminated terminated(Input in, ContainerInfo c) {
        String reason = c.oomKilled() ? "OOMKilled" : c.exitCode() == 0 ? "Completed" : "Error";
        String message = in.terminationMessage().apply(c);
        return new ContainerStateTerminatedBuilder().withExitCode(c.exitCode()).withReason(reason)
                .withMessage(message == null || message.isEmpty() ? null : message)
                .withStartedAt(c.startedAt() == null ? null : timestamp(c.startedAt()))
                .withFinishedAt(c.finishedAt() == null ? null : timestamp(c.finishedAt()))
                .withContainerID(in.runtimeName() + "://" + c.id()).build();
    }

    /** Kubelet's getPhase. */
    static String phase(Pod pod, List<ContainerStatus> inits, List<ContainerStatus> apps, boolean podIsTerminal) {
        String policy = restartPolicy(pod);
        int pendingInit = 0;
        int failedInit = 0;
        for (ContainerStatus cs : inits) {
            var st = cs.getState();
            if (st.getRunning() != null) {
                pendingInit++;
            } else if (st.getTerminated() != null) {
                if (st.getTerminated().getExitCode() != 0) {
                    failedInit++;
                }
            } else if (st.getWaiting() != null && cs.getLastState() != null && cs.getLastState().getTerminated() != null) {
                if (cs.getLastState().getTerminated().getExitCode() != 0) {
                    failedInit++;
                }
            } else {
                pendingInit++;
            }
        }
        int unknown = 0;
        int running = 0;
        int waiting = 0;
        int stopped = 0;
        int succeeded = 0;
        for (ContainerStatus cs : apps) {
            var st = cs.getState();
            if (st.getRunning() != null) {
                running++;
            } else if (st.getTerminated() != null) {
                stopped++;
                if (st.getTerminated().getExitCode() == 0) {
                    succeeded++;
                }
            } else if (st.getWaiting() != null) {
                var last = cs.getLastState() == null ? null : cs.getLastState().getTerminated();
                if (last != null) {
                    stopped++;
                    if (last.getExitCode() == 0) {
                        succeeded++;
                    }
                } else {
                    waiting++;
                }
            } else {
                unknown++;
            }
        }
        if (failedInit > 0 && policy.equals("Never")) {
            return "Failed";
        }
        if (!podIsTerminal && (pendingInit > 0 || waiting > 0)) {
            return "Pending";
        }
        if (running > 0 && unknown == 0) {
            return "Running";
        }
        if (running == 0 && stopped > 0 && unknown == 0) {
            if (podIsTerminal) {
                return stopped == succeeded ? "Succeeded" : "Failed";
            }
            if (policy.equals("Always")) {
                return "Running";
            }
            if (stopped == succeeded) {
                return "Succeeded";
            }
            if (policy.equals("Never")) {
                return "Failed";
            }
            return "Running";
        }
        if (podIsTerminal) {
            return "Failed";
        }
        return "Pending";
    }

    static String restartPolicy(Pod pod) {
        String p = pod.getSpec().getRestartPolicy();
        return p == null || p.isEmpty() ? "Always" : p;
    }

    private static PodCondition condition(PodStatus prev, String type, String status, String reason, String message,
                                          String now) {
        PodCondition old = find(prev.getConditions(), type);
        String transition = old != null && status.equals(old.getStatus()) && old.getLastTransitionTime() != null
                ? old.getLastTransitionTime() : now;
        return new PodConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastTransitionTime(transition).withLastProbeTime(null).build();
    }

    static PodCondition find(List<PodCondition> list, String type) {
        if (list == null) {
            return null;
        }
        for (PodCondition c : list) {
            if (type.equals(c.getType())) {
                return c;
            }
        }
        return null;
    }

    static String timestamp(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
    }

    /** Guaranteed, Burstable or BestEffort from the containers' cpu and memory requests and limits. */
    static String qosClass(Pod pod) {
        List<Container> all = new ArrayList<>(pod.getSpec().getContainers());
        all.addAll(pod.getSpec().getInitContainers());
        boolean any = false;
        boolean guaranteed = true;
        for (Container c : all) {
            ResourceRequirements res = c.getResources();
            Map<String, Quantity> req = res == null || res.getRequests() == null ? Map.of() : res.getRequests();
            Map<String, Quantity> lim = res == null || res.getLimits() == null ? Map.of() : res.getLimits();
            for (String k : List.of("cpu", "memory")) {
                Quantity l = lim.get(k);
                Quantity q = req.getOrDefault(k, l);
                if ((q != null && q.getNumericalAmount().signum() != 0) || (l != null && l.getNumericalAmount().signum() != 0)) {
                    any = true;
                }
                if (l == null || q == null || q.getNumericalAmount().compareTo(l.getNumericalAmount()) != 0) {
                    guaranteed = false;
                }
            }
        }
        if (!any) {
            return "BestEffort";
        }
        return guaranteed ? "Guaranteed" : "Burstable";
    }
}
