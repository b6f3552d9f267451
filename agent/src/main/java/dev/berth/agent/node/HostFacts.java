package dev.berth.agent.node;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Who the machine is, for Node.status.nodeInfo and addresses: machine id, system UUID, boot id,
 * host name, and the address of the default route.
 *
 * @param systemUuid the firmware's UUID; where it cannot be read (containers, non-root), the
 *                   machine id written as a UUID, so it is stable across boots
 */
public record HostFacts(String machineId, String systemUuid, String bootId, String hostname) {

    /** Reads the facts under {@code root} ({@code /} on a real machine). */
    public static HostFacts read(Path root) {
        String machineId = first(root, "etc/machine-id", "var/lib/dbus/machine-id").orElse("");
        String uuid = first(root, "sys/class/dmi/id/product_uuid").map(s -> s.toLowerCase(Locale.ROOT))
                .orElseGet(() -> asUuid(machineId));
        String bootId = first(root, "proc/sys/kernel/random/boot_id").orElse("");
        String hostname = first(root, "proc/sys/kernel/hostname", "etc/hostname").orElseGet(HostFacts::javaHostname);
        return new HostFacts(machineId, uuid, bootId, hostname.toLowerCase(Locale.ROOT));
    }

    public static HostFacts host() {
        return read(Path.of("/"));
    }

    /**
     * The interface of the default IPv4 route in a {@code /proc/net/route} table: the up, gateway
     * route to 0.0.0.0/0 with the lowest metric.
     */
    public static Optional<String> defaultRouteInterface(List<String> routeTable) {
        String best = null;
        long bestMetric = Long.MAX_VALUE;
        for (String line : routeTable) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 8 || f[0].equals("Iface")) {
                continue;
            }
            try {
                int flags = Integer.parseInt(f[3], 16);
                boolean up = (flags & 0x1) != 0;
                if (!up || !f[1].equals("00000000") || !f[7].equals("00000000")) {
                    continue;
                }
                long metric = Long.parseLong(f[6]);
                if (metric < bestMetric) {
                    best = f[0];
                    bestMetric = metric;
                }
            } catch (NumberFormatException e) {
                // a malformed row: not a route we can use
            }
        }
        return Optional.ofNullable(best);
    }

    /** The first IPv4 address of the default route's interface, read from {@code procRoot/net/route}. */
    public static Optional<String> defaultRouteAddress(Path procRoot) {
        try {
            Optional<String> iface = defaultRouteInterface(Files.readAllLines(procRoot.resolve("net/route")));
            if (iface.isEmpty()) {
                return Optional.empty();
            }
            NetworkInterface ni = NetworkInterface.getByName(iface.get());
            if (ni == null) {
                return Optional.empty();
            }
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (a instanceof Inet4Address) {
                    return Optional.of(a.getHostAddress());
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> first(Path root, String... files) {
        for (String f : files) {
            try {
                String s = Files.readString(root.resolve(f)).trim();
                if (!s.isEmpty()) {
                    return Optional.of(s);
                }
            } catch (IOException e) {
                // absent or unreadable: try the next
            }
        }
        return Optional.empty();
    }

    static String asUuid(String machineId) {
        if (!machineId.matches("[0-9a-fA-F]{32}")) {
            return machineId;
        }
        String m = machineId.toLowerCase(Locale.ROOT);
        return m.substring(0, 8) + "-" + m.substring(8, 12) + "-" + m.substring(12, 16) + "-" + m.substring(16, 20)
                + "-" + m.substring(20);
    }

    private static String javaHostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
