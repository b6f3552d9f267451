package dev.berth.agent.runtime;

/** Labels on every container the agent makes: they tie it back to its pod after a restart. */
public final class RuntimeLabels {
    /** The pod's uid. */
    public static final String POD_UID = "berth.dev/pod-uid";
    public static final String POD_NAMESPACE = "berth.dev/pod-namespace";
    public static final String POD_NAME = "berth.dev/pod-name";
    /** The container's name in the pod spec; absent on sandboxes. */
    public static final String CONTAINER_NAME = "berth.dev/container-name";
    /** {@code sandbox}, {@code init} or {@code app}. */
    public static final String ROLE = "berth.dev/role";
    /** How many times this container of the pod was started before this one (Kubernetes' restartCount). */
    public static final String ATTEMPT = "berth.dev/attempt";
    /** The node name the agent runs as; one Docker engine may host several agents in tests. */
    public static final String NODE = "berth.dev/node";
    /** Hash of the container spec the container was made from, to notice spec changes. */
    public static final String SPEC_HASH = "berth.dev/spec-hash";
    /** Where the container's termination message is kept on the host. */
    public static final String TERMINATION_MESSAGE_PATH = "berth.dev/termination-message-path";

    /**
     * In {@link SandboxSpec#labels()}: {@code "true"} for spec.shareProcessNamespace, so every
     * container of the pod joins the sandbox's PID namespace (whose PID 1, the pause program,
     * reaps the orphans).
     */
    public static final String SHARE_PROCESS_NAMESPACE = "berth.dev/share-process-namespace";

    public static final String ROLE_SANDBOX = "sandbox";
    public static final String ROLE_INIT = "init";
    public static final String ROLE_APP = "app";

    private RuntimeLabels() {
    }
}
