package dev.berth.agent.proxy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dataplane of a node where kernel rules cannot be programmed (or userspace was asked for):
 * it reports {@value #MODE} and programs nothing. A userspace proxy implementing
 * {@link ProxyDataplane} takes its place once it exists.
 */
final class UserspaceNeeded implements ProxyDataplane {
    static final String MODE = "userspace-needed";
    private static final Logger log = LoggerFactory.getLogger(UserspaceNeeded.class);

    private final String why;
    private boolean told;

    UserspaceNeeded(String why) {
        this.why = why;
    }

    @Override
    public String mode() {
        return MODE;
    }

    @Override
    public void program(ProxyTable table, boolean resync) {
        if (!told && !table.services().isEmpty()) {
            told = true;
            log.warn("{}; Service addresses are not forwarded on this node ({} service ports)", why, table.services().size());
        }
    }
}
