package dev.berth.agent.proxy;

/**
 * What makes the node forward Service traffic as the {@link ProxyTable} says: the seam between the
 * model and a mode. The iptables dataplane programs kernel rules; the userspace dataplane listens
 * on the Service ports and relays connections itself.
 */
public interface ProxyDataplane extends AutoCloseable {
    /** The mode as reported on the Node (annotation {@value ServiceProxy#MODE_ANNOTATION}). */
    String mode();

    /**
     * The proxy table is now {@code table}: make traffic follow it. Called from one thread at a
     * time; {@code resync} asks to check the node's actual state too, not only what changed since
     * the last call.
     *
     * @throws RuntimeException when it could not; the caller tries again
     */
    void program(ProxyTable table, boolean resync);

    /** Stops; rules an agent restart would program again may stay, so established traffic is not dropped. */
    @Override
    default void close() {
    }
}
