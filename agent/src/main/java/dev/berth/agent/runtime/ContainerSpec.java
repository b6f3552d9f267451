package dev.berth.agent.runtime;

import java.util.List;
import java.util.Map;

/**
 * A container to create inside a sandbox, already resolved from the pod spec: env values looked
 * up, volumes turned into host paths, resources into cgroup settings.
 *
 * @param name               the container's name in the pod spec
 * @param role               {@link RuntimeLabels#ROLE_INIT} or {@link RuntimeLabels#ROLE_APP}
 * @param attempt            restart count of this container before this start (0 first)
 * @param image              image reference as in the pod spec
 * @param entrypoint         spec.command; empty: the image's entrypoint
 * @param args               spec.args; empty with empty entrypoint: the image's cmd
 * @param env                environment in order, {@code NAME=value}
 * @param workingDir         empty: the image's
 * @param mounts             bind mounts into the container
 * @param memoryLimitBytes   0: no limit
 * @param cpuQuotaMillis     CPU limit in millicores, 0: no limit (quota over a 100 ms period)
 * @param cpuShares          from the CPU request (Kubernetes: millicores * 1024 / 1000, at least 2)
 * @param user               {@code uid}, {@code uid:gid} or empty for the image's
 * @param privileged         securityContext.privileged
 * @param readOnlyRootfs     securityContext.readOnlyRootFilesystem
 * @param capAdd             capabilities to add (without the CAP_ prefix)
 * @param capDrop            capabilities to drop
 * @param stdin              keep stdin open
 * @param stdinOnce          close stdin after the first attach ends
 * @param tty                allocate a TTY
 * @param labels             labels beyond those the runtime adds
 * @param supplementalGroups extra groups of the container's process (pod supplementalGroups and fsGroup)
 */
public record ContainerSpec(String name, String role, int attempt, String image, List<String> entrypoint,
                            List<String> args, List<String> env, String workingDir, List<Mount> mounts,
                            long memoryLimitBytes, long cpuQuotaMillis, long cpuShares, String user,
                            boolean privileged, boolean readOnlyRootfs, List<String> capAdd, List<String> capDrop,
                            boolean stdin, boolean stdinOnce, boolean tty, Map<String, String> labels,
                            List<Long> supplementalGroups) {
    /** The same container with other labels. */
    public ContainerSpec withLabels(Map<String, String> newLabels) {
        return new ContainerSpec(name, role, attempt, image, entrypoint, args, env, workingDir, mounts, memoryLimitBytes,
                cpuQuotaMillis, cpuShares, user, privileged, readOnlyRootfs, capAdd, capDrop, stdin, stdinOnce, tty,
                newLabels, supplementalGroups);
    }

    public ContainerSpec {
        supplementalGroups = List.copyOf(supplementalGroups);
        entrypoint = List.copyOf(entrypoint);
        args = List.copyOf(args);
        env = List.copyOf(env);
        mounts = List.copyOf(mounts);
        capAdd = List.copyOf(capAdd);
        capDrop = List.copyOf(capDrop);
        labels = Map.copyOf(labels);
    }

    /** A bind mount of a host path; {@code propagation} is {@code rprivate}, {@code rslave} or {@code rshared}. */
    public record Mount(String hostPath, String containerPath, boolean readOnly, String propagation) {
        public Mount(String hostPath, String containerPath, boolean readOnly) {
            this(hostPath, containerPath, readOnly, "rprivate");
        }
    }
}
