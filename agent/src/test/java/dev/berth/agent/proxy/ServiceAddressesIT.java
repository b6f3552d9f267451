package dev.berth.agent.proxy;

import dev.berth.agent.network.HostCommand;
import dev.berth.agent.testing.TestDocker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The userspace proxy's address interface, inside a network namespace this test makes. */
class ServiceAddressesIT {
    private String netns;
    private HostCommand ns;

    @BeforeEach
    void netns() {
        String reason = null;
        if (!"root".equals(System.getProperty("user.name"))) reason = "needs root to make network namespaces";
        else if (!HostCommand.available("nsenter") || !HostCommand.available("ip")) reason = "nsenter or ip is missing";
        if (reason != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new AssertionError(reason + " (required when CI=true)");
            Assumptions.abort(reason);
        }
        netns = TestDocker.runPrefix() + "svcaddr";
        HostCommand.local().check(List.of("ip", "netns", "add", netns), null);
        ns = new HostCommand("/var/run/netns/" + netns, Duration.ofSeconds(10));
    }

    @AfterEach
    void remove() {
        if (netns != null) HostCommand.local().run(List.of("ip", "netns", "del", netns), null);
    }

    private String shown(String name) {
        return ns.run(List.of("ip", "-o", "-4", "addr", "show", "dev", name), null).stdout();
    }

    @Test
    void holdsExactlyTheGivenAddressesAndRemovesItsInterfaceOnClose() {
        String name = ServiceAddresses.interfaceName(TestDocker.runPrefix());
        assertThat(name).hasSizeLessThanOrEqualTo(15).startsWith("bsvc-");
        ServiceAddresses addresses = ServiceAddresses.onInterface(ns, name);

        addresses.hold(Set.of("10.43.0.5", "10.43.0.6"));
        assertThat(shown(name)).contains("10.43.0.5/32").contains("10.43.0.6/32");
        assertThat(ns.check(List.of("ip", "route", "show", "table", "local"), null)).contains("local 10.43.0.5 dev " + name);

        addresses.hold(Set.of("10.43.0.6", "10.43.0.7"));
        assertThat(shown(name)).doesNotContain("10.43.0.5/").contains("10.43.0.6/32").contains("10.43.0.7/32");

        addresses.hold(Set.of());
        assertThat(shown(name)).doesNotContain("inet ");

        addresses.close();
        assertThat(ns.run(List.of("ip", "link", "show", name), null).ok()).isFalse();
    }
}
