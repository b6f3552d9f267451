package dev.berth.agent.runtime;

/**
 * The runtime and the machine under it, for Node.status.nodeInfo and capacity.
 *
 * @param runtimeName     e.g. {@code docker}
 * @param runtimeVersion  e.g. {@code 20.10.24}
 * @param os              {@code linux}
 * @param osImage         e.g. {@code Debian GNU/Linux 12 (bookworm)}
 * @param kernelVersion   uname -r
 * @param architecture    Go's name: {@code amd64}, {@code arm64}
 * @param cpus            logical CPUs
 * @param memoryBytes     total memory
 * @param cgroupVersion   1 or 2
 * @param cgroupDriver    {@code cgroupfs} or {@code systemd}
 * @param rootDir         the runtime's data directory (for ephemeral-storage capacity)
 */
public record RuntimeInfo(String runtimeName, String runtimeVersion, String os, String osImage, String kernelVersion,
                          String architecture, int cpus, long memoryBytes, int cgroupVersion, String cgroupDriver,
                          String rootDir) {
}
