package dev.berth.core.provision;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The script that {@code remove} runs for the agent's network state, in a network namespace of the
 * test's own (never the host's): it takes the agent's chains, the jumps into them, its routes and
 * its interfaces, and leaves everything else. (Bridges stand in for dummy interfaces: not every kernel
 * has the dummy module, and the agent falls back to a bridge too.)
 */
@EnabledOnOs(OS.LINUX)
class NetworkCleanupIT {
    final String netns = "berth-test-" + HexFormat.of().formatHex(randomBytes()) + "-nc";
    boolean made;

    static byte[] randomBytes() {
        byte[] b = new byte[3];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    @BeforeEach
    void makeNamespace() throws Exception {
        boolean root = "0".equals(run(List.of("id", "-u")).output().strip());
        boolean tools = run(List.of("sh", "-c", "command -v ip && command -v iptables-save && command -v nsenter")).exit() == 0;
        if (!root || !tools) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("needs root, ip, iptables and nsenter (required when CI=true)");
            }
            assumeTrue(false, "needs root, ip, iptables and nsenter");
        }
        assertThat(run(List.of("ip", "netns", "add", netns)).exit()).isZero();
        made = true;
    }

    @AfterEach
    void removeNamespace() throws Exception {
        if (made) run(List.of("ip", "netns", "del", netns));
    }

    record Result(int exit, String output) {
    }

    static Result run(List<String> argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + argv);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    Result inNs(String script) throws Exception {
        List<String> argv = new ArrayList<>(List.of("nsenter", "--net=/var/run/netns/" + netns, "env",
                // no docker here: the namespace has no engine, and the host's must not be asked
                "PATH=/usr/local/sbin:/usr/sbin:/sbin:/bin:/usr/bin", "sh", "-c"));
        argv.add(script.replace("command -v docker", "command -v docker-not-in-this-test"));
        return run(argv);
    }

    @Test
    void removesTheAgentsChainsJumpsRoutesAndInterfacesAndNothingElse() throws Exception {
        Result setup = inNs(String.join("\n",
                "set -e",
                "ip link set lo up",
                "ip link add keep0 type bridge && ip link set keep0 up && ip addr add 192.0.2.1/24 dev keep0",
                "ip link add bsvc-0123abcd type bridge && ip link set bsvc-0123abcd up",
                "ip link add berth0123456789 type bridge && ip link set berth0123456789 up",
                "ip route add 10.42.7.0/24 via 192.0.2.7 proto 98",
                "ip route add 198.51.100.0/24 via 192.0.2.8",
                // the agent's chains, with jumps into them from built-in chains, one carrying a quoted comment
                "iptables -w -N BERTH-PN-FWD",
                "iptables -w -A BERTH-PN-FWD -s 10.42.0.0/16 -j ACCEPT",
                "iptables -w -A FORWARD -m comment --comment 'berth pod network' -j BERTH-PN-FWD",
                "iptables -w -N BNP-ABC",
                "iptables -w -A BERTH-PN-FWD -j BNP-ABC",
                "iptables -w -t nat -N BPROXY-abcdef-SERVICES",
                "iptables -w -t nat -N BPROXY-abcdef-S-0123456789ab",
                "iptables -w -t nat -A BPROXY-abcdef-SERVICES -d 10.43.0.1/32 -p tcp --dport 443 -j BPROXY-abcdef-S-0123456789ab",
                "iptables -w -t nat -A PREROUTING -m comment --comment 'berth service portals' -j BPROXY-abcdef-SERVICES",
                "iptables -w -t nat -A OUTPUT -j BPROXY-abcdef-SERVICES",
                // someone else's: stays
                "iptables -w -N DOCKER-USER",
                "iptables -w -A DOCKER-USER -j RETURN",
                "iptables -w -A FORWARD -j DOCKER-USER",
                "iptables -w -t nat -A POSTROUTING -s 172.30.0.0/16 -j MASQUERADE"));
        assertThat(setup.exit()).as(setup.output()).isZero();

        Result cleanup = inNs(NodeInstaller.networkCleanup("berth-test-node"));
        assertThat(cleanup.exit()).as(cleanup.output()).isZero();

        String filter = inNs("iptables-save -t filter").output();
        String nat = inNs("iptables-save -t nat").output();
        assertThat(filter + nat).doesNotContain("BERTH-PN-").doesNotContain("BNP-").doesNotContain("BPROXY-");
        assertThat(filter).contains(":DOCKER-USER").contains("-A FORWARD -j DOCKER-USER").contains("-A DOCKER-USER -j RETURN");
        assertThat(nat).contains("-A POSTROUTING -s 172.30.0.0/16 -j MASQUERADE");
        String links = inNs("ip -o link show").output();
        assertThat(links).doesNotContain("bsvc-0123abcd").doesNotContain("berth0123456789").contains("keep0");
        String routes = inNs("ip -4 route show").output();
        assertThat(routes).doesNotContain("10.42.7.0/24").contains("198.51.100.0/24");

        // a second run finds nothing to do and still succeeds
        assertThat(inNs(NodeInstaller.networkCleanup("berth-test-node")).exit()).isZero();
    }
}
