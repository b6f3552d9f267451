package dev.berth.agent.dns;

import org.xbill.DNS.config.ResolvConfResolverConfigProvider;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The resolvers the cluster DNS forwards to: those given with {@code --dns-upstream} (IP or
 * IP:port), else the nameservers of the host's resolv.conf. Loopback nameservers there (such as
 * systemd-resolved's 127.0.0.53) are skipped: they answer only on the host, and a local resolver
 * might send cluster names back to us. When they were all loopback, systemd-resolved's own list of
 * upstreams is read instead, as kubelet is told to do on such hosts.
 */
public final class Upstreams {
    /** The host's resolver configuration. */
    public static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");
    /** systemd-resolved's upstream servers, where it runs. */
    public static final Path SYSTEMD_RESOLV_CONF = Path.of("/run/systemd/resolve/resolv.conf");

    private Upstreams() {
    }

    /**
     * @param configured {@code AgentOptions.dnsUpstreams()}: IP or IP:port each (already checked)
     * @param resolvConfs resolv.conf files to read, in order, when none is configured: the first
     *                    that names a nameserver that is not loopback wins
     */
    public static List<InetSocketAddress> resolve(List<String> configured, List<Path> resolvConfs) {
        if (!configured.isEmpty()) {
            List<InetSocketAddress> out = new ArrayList<>();
            for (String u : configured) out.add(parse(u));
            return out;
        }
        for (Path file : resolvConfs) {
            List<InetSocketAddress> servers = nameservers(file).stream()
                    .filter(a -> !a.getAddress().isLoopbackAddress() && !a.getAddress().isAnyLocalAddress()).toList();
            if (!servers.isEmpty()) return servers;
        }
        return List.of();
    }

    /** {@code IP}, {@code IP:port} or {@code [IPv6]:port}; port 53 by default. */
    static InetSocketAddress parse(String upstream) {
        String host = upstream;
        int port = 53;
        if (upstream.startsWith("[") && upstream.contains("]:")) {
            host = upstream.substring(1, upstream.indexOf(']'));
            port = Integer.parseInt(upstream.substring(upstream.indexOf("]:") + 2));
        } else if (upstream.indexOf(':') > 0 && upstream.indexOf(':') == upstream.lastIndexOf(':')) {
            host = upstream.substring(0, upstream.indexOf(':'));
            port = Integer.parseInt(upstream.substring(upstream.indexOf(':') + 1));
        }
        return new InetSocketAddress(InetAddress.ofLiteral(host), port);
    }

    /** The nameservers of a resolv.conf file (none when it is missing or unreadable), parsed by dnsjava. */
    static List<InetSocketAddress> nameservers(Path file) {
        if (!Files.isReadable(file)) return List.of();
        try (InputStream in = Files.newInputStream(file)) {
            ResolvConf conf = new ResolvConf();
            conf.read(in);
            return conf.servers();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** dnsjava's resolv.conf reader, pointed at a file of our choosing. */
    private static final class ResolvConf extends ResolvConfResolverConfigProvider {
        void read(InputStream in) throws IOException {
            parseResolvConf(in);
        }
    }
}
