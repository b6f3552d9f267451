package dev.berth.agent.proxy;

/**
 * The dataplane of {@code --proxy-mode none}: the node forwards no Service traffic and reports
 * {@value #MODE}. For agents that share a network namespace with others owning the Service
 * addresses, such as tests in the machine's own namespace.
 */
final class NoProxy implements ProxyDataplane {
    static final String MODE = "none";

    @Override
    public String mode() {
        return MODE;
    }

    @Override
    public void program(ProxyTable table, boolean resync) {
        // nothing forwards Service traffic on this node, as asked
    }
}
