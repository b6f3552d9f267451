package dev.berth.agent.runtime;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the agent asks of a container engine. Implementations are thread-safe; every call may
 * block on the engine and throws {@link ContainerRuntimeException} (or a subclass) on failure.
 *
 * <p>Names of containers and networks the runtime makes start with {@link #namePrefix()} (for
 * example {@code berth-} in production, {@code berth-test-<run>-} in tests), and listing only
 * ever returns containers carrying this runtime's node label, so several agents (and tests)
 * share one engine without seeing each other's containers.
 */
public interface ContainerRuntime extends AutoCloseable {
    /** Prefix of every container and network name this runtime makes. */
    String namePrefix();

    /** The node name stamped on every container ({@link RuntimeLabels#NODE}). */
    String nodeName();

    RuntimeInfo info();

    // --- images ---------------------------------------------------------------------------

    List<ImageInfo> images();

    /** The image's id if present locally. */
    Optional<String> imageId(String image);

    /** Pulls the image; {@link ImageNotFoundException} or {@link ContainerRuntimeException} with reason ErrImagePull. */
    void pullImage(String image, Optional<RegistryAuth> auth);

    /** Loads images from a {@code docker save} tar stream; returns the names loaded. */
    List<String> loadImages(InputStream tar);

    /** Makes sure the infra (pause) image is present, loading it from the agent's own build when missing; returns its reference. */
    String ensureInfraImage();

    // --- networks ---------------------------------------------------------------------------

    /**
     * Makes sure a bridge network {@code namePrefix() + name} with this subnet and gateway exists
     * (recreating it when the subnet differs and no container uses it); returns the full name.
     */
    String ensureNetwork(String name, String subnetCidr, String gateway);

    void removeNetwork(String fullName);

    /** The host interface of the bridge behind network {@code fullName}, where the runtime makes one. */
    default java.util.Optional<String> bridgeInterface(String fullName) {
        return java.util.Optional.empty();
    }

    // --- sandboxes and containers ---------------------------------------------------------------

    /** Creates and starts the infra container of a pod; returns its id. */
    String runSandbox(SandboxSpec spec);

    /** Creates (not starts) a container joining the sandbox's network, IPC (and PID when shared) namespaces. */
    String createContainer(String sandboxId, SandboxSpec sandbox, ContainerSpec spec);

    void startContainer(String id);

    /** Sends SIGTERM (or the image's stop signal), then SIGKILL after the grace period; returns once it has exited. */
    void stopContainer(String id, Duration grace);

    /** Removes the container (and its anonymous volumes); no error if already gone. */
    void removeContainer(String id);

    /** This node's containers (sandboxes included) whose labels contain every entry of {@code labels}. */
    List<ContainerInfo> listContainers(Map<String, String> labels);

    /** @throws ContainerNotFoundException when it is gone */
    ContainerInfo inspect(String id);

    // --- exec, attach, logs ---------------------------------------------------------------------

    /** Runs a command to completion (probes, hooks); output is stdout and stderr, capped at 64 KiB. */
    ExecResult exec(String id, List<String> command, Duration timeout);

    /** Starts an interactive exec. */
    StreamSession execStream(String id, List<String> command, boolean stdin, boolean stdout, boolean stderr, boolean tty);

    /** Attaches to the container's main process. */
    StreamSession attach(String id, boolean stdin, boolean stdout, boolean stderr, boolean tty);

    /** The container's log, as bytes (with {@link LogOptions#timestamps()}, each line prefixed). */
    InputStream logs(String id, LogOptions options);

    @Override
    void close();
}
