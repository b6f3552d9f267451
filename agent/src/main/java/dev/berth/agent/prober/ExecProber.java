package dev.berth.agent.prober;

import dev.berth.agent.runtime.ContainerRuntime;
import dev.berth.agent.runtime.ContainerRuntimeException;
import dev.berth.agent.runtime.ExecResult;

import java.time.Duration;
import java.util.List;

/**
 * kubelet's exec probe: the command runs in the container; exit 0 passes, any other fails with
 * the command's output as the message; past timeoutSeconds it fails with
 * {@code command "..." timed out}.
 */
final class ExecProber {
    /** kubelet keeps at most this much of an exec probe's output ({@code maxReadLength}). */
    static final int MAX_OUTPUT_CHARS = 10 * 1024;

    private final ContainerRuntime runtime;

    ExecProber(ContainerRuntime runtime) {
        this.runtime = runtime;
    }

    ProbeResult probe(String containerId, List<String> command, Duration timeout) throws ProbeException {
        ExecResult result;
        try {
            result = runtime.exec(containerId, command, timeout);
        } catch (ContainerRuntimeException e) {
            throw new ProbeException(e.getMessage(), e);
        }
        if (result.timedOut()) {
            return ProbeResult.failure("command " + GoText.quote(String.join(" ", command)) + " timed out");
        }
        String output = result.output() == null ? "" : result.output();
        if (output.length() > MAX_OUTPUT_CHARS) {
            output = output.substring(0, MAX_OUTPUT_CHARS);
        }
        return result.exitCode() == 0 ? ProbeResult.success(output) : ProbeResult.failure(output);
    }
}
