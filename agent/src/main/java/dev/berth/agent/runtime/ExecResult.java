package dev.berth.agent.runtime;

/** A command run to completion in a container (exec probes, hooks). {@code timedOut}: killed at the timeout. */
public record ExecResult(int exitCode, String output, boolean timedOut) {
}
