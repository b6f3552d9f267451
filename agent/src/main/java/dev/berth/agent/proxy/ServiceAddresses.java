package dev.berth.agent.proxy;

import dev.berth.agent.network.HostCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The node's own copy of the Service addresses the userspace proxy listens on: an interface of
 * the agent's ({@link #interfaceName}) holding each cluster IP as a /32, so that the kernel
 * delivers traffic to them locally and the proxy can bind them. The interface is a {@code dummy}
 * where the kernel has that module, else an empty bridge (a bridge without ports delivers to its
 * local addresses just the same). Addresses are added and removed with one {@code ip -batch} run.
 */
public interface ServiceAddresses extends AutoCloseable {
    /** Makes {@code ips} exactly the addresses held. */
    void hold(Set<String> ips);

    /** Removes the interface and its addresses. */
    @Override
    void close();

    /** No interface: for addresses that are already local (loopback, in tests). */
    ServiceAddresses NONE = new ServiceAddresses() {
        @Override
        public void hold(Set<String> ips) {
        }

        @Override
        public void close() {
        }
    };

    /**
     * The interface name for agents whose name prefix is {@code namePrefix}: {@code bsvc-} and 8
     * hex digits of the prefix's SHA-256 (interface names are at most 15 characters).
     */
    static String interfaceName(String namePrefix) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(namePrefix.getBytes(StandardCharsets.UTF_8));
            return "bsvc-" + HexFormat.of().formatHex(d).substring(0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The addresses on interface {@code name}, made with {@code host}'s {@code ip} tool. */
    static ServiceAddresses onInterface(HostCommand host, String name) {
        return new OnInterface(host, name);
    }

    final class OnInterface implements ServiceAddresses {
        private static final Logger log = LoggerFactory.getLogger(OnInterface.class);
        private static final Pattern INET = Pattern.compile("\\binet ([0-9.]+)/([0-9]+)");

        private final HostCommand host;
        private final String name;

        OnInterface(HostCommand host, String name) {
            this.host = Objects.requireNonNull(host, "host");
            this.name = Objects.requireNonNull(name, "name");
        }

        @Override
        public void hold(Set<String> ips) {
            HostCommand.Result shown = host.run(List.of("ip", "-o", "-4", "addr", "show", "dev", name), null);
            if (!shown.ok()) {
                make();
                shown = host.run(List.of("ip", "-o", "-4", "addr", "show", "dev", name), null);
                if (!shown.ok()) {
                    throw new IllegalStateException("interface " + name + " cannot be read after making it: "
                            + shown.stderr().strip());
                }
            }
            Set<String> present = new TreeSet<>();
            Matcher m = INET.matcher(shown.stdout());
            while (m.find()) present.add(m.group(1) + "/" + m.group(2));
            StringBuilder batch = new StringBuilder();
            for (String ip : ips) {
                if (!present.contains(ip + "/32")) batch.append("address add ").append(ip).append("/32 dev ").append(name).append('\n');
            }
            for (String cidr : present) {
                String ip = cidr.substring(0, cidr.indexOf('/'));
                if (!ips.contains(ip) || !cidr.endsWith("/32")) {
                    batch.append("address del ").append(cidr).append(" dev ").append(name).append('\n');
                }
            }
            if (!batch.isEmpty()) host.check(List.of("ip", "-force", "-batch", "-"), batch.toString());
        }

        private void make() {
            HostCommand.Result dummy = host.run(List.of("ip", "link", "add", name, "type", "dummy"), null);
            if (!dummy.ok()) {
                log.info("interface {}: no dummy interfaces here ({}); an empty bridge holds the Service addresses",
                        name, dummy.stderr().strip());
                host.check(List.of("ip", "link", "add", name, "type", "bridge"), null);
            }
            host.check(List.of("ip", "link", "set", name, "up"), null);
        }

        @Override
        public void close() {
            HostCommand.Result r = host.run(List.of("ip", "link", "del", name), null);
            if (!r.ok() && !r.stderr().contains("Cannot find device")) {
                log.warn("cannot remove interface {}: {}", name, r.stderr().strip());
            }
        }
    }
}
