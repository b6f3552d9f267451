package dev.berth.agent.prober;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One probe of a container with Kubernetes' defaults applied (initialDelaySeconds 0,
 * periodSeconds 10, timeoutSeconds 1, successThreshold 1, failureThreshold 3; a 0 means the
 * default, as the API server's defaulting would have set it).
 */
record ProbeSpec(ProbeKind kind, Probe probe, int initialDelaySeconds, int periodSeconds, int timeoutSeconds,
                 int successThreshold, int failureThreshold, Long terminationGracePeriodSeconds) {
    static final int DEFAULT_PERIOD_SECONDS = 10;
    static final int DEFAULT_TIMEOUT_SECONDS = 1;
    static final int DEFAULT_SUCCESS_THRESHOLD = 1;
    static final int DEFAULT_FAILURE_THRESHOLD = 3;

    /** The probe of this kind on the container, or {@code null} when it has none. */
    static Probe of(Container container, ProbeKind kind) {
        return switch (kind) {
            case LIVENESS -> container.getLivenessProbe();
            case READINESS -> container.getReadinessProbe();
            case STARTUP -> container.getStartupProbe();
        };
    }

    /** The field name of the probe in a container spec: livenessProbe, readinessProbe, startupProbe. */
    static String field(ProbeKind kind) {
        return switch (kind) {
            case LIVENESS -> "livenessProbe";
            case READINESS -> "readinessProbe";
            case STARTUP -> "startupProbe";
        };
    }

    /** As kubelet names the probe type in events: Liveness, Readiness, Startup. */
    static String title(ProbeKind kind) {
        return switch (kind) {
            case LIVENESS -> "Liveness";
            case READINESS -> "Readiness";
            case STARTUP -> "Startup";
        };
    }

    /**
     * Validates and defaults; {@link IllegalArgumentException} names every field that breaks a rule,
     * as the API server's validation would.
     */
    static ProbeSpec from(ProbeKind kind, Probe probe) {
        String f = field(kind);
        List<String> errors = new ArrayList<>();
        int handlers = (probe.getExec() != null ? 1 : 0) + (probe.getHttpGet() != null ? 1 : 0)
                + (probe.getTcpSocket() != null ? 1 : 0) + (probe.getGrpc() != null ? 1 : 0);
        if (handlers == 0) {
            errors.add(f + ": Required value: must specify a handler type (exec, httpGet, tcpSocket or grpc)");
        } else if (handlers > 1) {
            errors.add(f + ": Forbidden: may not specify more than 1 handler type");
        }
        int initialDelay = nonNegative(errors, f + ".initialDelaySeconds", probe.getInitialDelaySeconds(), 0);
        int period = nonNegative(errors, f + ".periodSeconds", probe.getPeriodSeconds(), DEFAULT_PERIOD_SECONDS);
        int timeout = nonNegative(errors, f + ".timeoutSeconds", probe.getTimeoutSeconds(), DEFAULT_TIMEOUT_SECONDS);
        int success = nonNegative(errors, f + ".successThreshold", probe.getSuccessThreshold(), DEFAULT_SUCCESS_THRESHOLD);
        int failure = nonNegative(errors, f + ".failureThreshold", probe.getFailureThreshold(), DEFAULT_FAILURE_THRESHOLD);
        if (kind != ProbeKind.READINESS && success != 1) {
            errors.add(f + ".successThreshold: Invalid value: " + success + ": must be 1");
        }
        Long grace = probe.getTerminationGracePeriodSeconds();
        if (grace != null && grace < 1) {
            errors.add(f + ".terminationGracePeriodSeconds: Invalid value: " + grace + ": must be greater than 0");
        }
        if (probe.getExec() != null && (probe.getExec().getCommand() == null || probe.getExec().getCommand().isEmpty())) {
            errors.add(f + ".exec.command: Required value: must name the command to run");
        }
        if (probe.getHttpGet() != null) {
            checkPort(errors, f + ".httpGet.port", probe.getHttpGet().getPort());
        }
        if (probe.getTcpSocket() != null) {
            checkPort(errors, f + ".tcpSocket.port", probe.getTcpSocket().getPort());
        }
        if (probe.getGrpc() != null) {
            Integer port = probe.getGrpc().getPort();
            if (port == null || port < 1 || port > 65535) {
                errors.add(f + ".grpc.port: Invalid value: " + port + ": must be between 1 and 65535, inclusive");
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
        // readiness probes may not set a grace period; kubelet ignores it there
        Long probeGrace = kind == ProbeKind.READINESS ? null : grace;
        return new ProbeSpec(kind, probe, initialDelay, period, timeout, success, failure, probeGrace);
    }

    private static void checkPort(List<String> errors, String field, IntOrString port) {
        if (port == null || (port.getIntVal() == null && (port.getStrVal() == null || port.getStrVal().isEmpty()))) {
            errors.add(field + ": Required value: a port number or the name of one of the container's ports");
        } else if (port.getIntVal() != null && (port.getIntVal() < 1 || port.getIntVal() > 65535)) {
            errors.add(field + ": Invalid value: " + port.getIntVal() + ": must be between 1 and 65535, inclusive");
        }
    }

    private static int nonNegative(List<String> errors, String field, Integer value, int defaultValue) {
        if (value == null || value == 0) {
            return defaultValue;
        }
        if (value < 0) {
            errors.add(field + ": Invalid value: " + value + ": must be greater than or equal to 0");
            return defaultValue;
        }
        return value;
    }

    Duration period() {
        return Duration.ofSeconds(periodSeconds);
    }

    Duration timeout() {
        return Duration.ofSeconds(timeoutSeconds);
    }

    /**
     * A port by number, or by the name of one of the container's ports, as kubelet's
     * {@code probe.ResolveContainerPort}.
     */
    static int resolvePort(IntOrString port, Container container) throws ProbeException {
        if (port == null) {
            throw new ProbeException("invalid port number: <nil>");
        }
        int number;
        if (port.getIntVal() != null) {
            number = port.getIntVal();
        } else {
            String name = port.getStrVal();
            Integer found = null;
            if (container.getPorts() != null) {
                for (ContainerPort p : container.getPorts()) {
                    if (name.equals(p.getName())) {
                        found = p.getContainerPort();
                        break;
                    }
                }
            }
            if (found == null) {
                throw new ProbeException("couldn't find port: " + name + " in container " + container.getName());
            }
            number = found;
        }
        if (number <= 0 || number >= 65536) {
            throw new ProbeException("invalid port number: " + number + ": must be between 1 and 65535, inclusive");
        }
        return number;
    }
}
