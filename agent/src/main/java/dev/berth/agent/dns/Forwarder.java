package dev.berth.agent.dns;

import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Asks the upstream resolvers, in order, about names that are not the cluster's: over UDP with an
 * EDNS buffer of {@link #EDNS_PAYLOAD} bytes, again over TCP when the answer comes back truncated
 * (dnsjava's {@link SimpleResolver} does that), each attempt limited to a timeout. An upstream that
 * does not answer, or answers SERVFAIL or REFUSED, passes the question to the next. Answers are
 * kept in an {@link UpstreamCache}.
 */
public final class Forwarder {
    /** How long one upstream has to answer. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /** The UDP payload size offered to upstreams (the DNS flag day's recommendation). */
    public static final int EDNS_PAYLOAD = 1232;

    /** No upstream answered; the message names each one and what went wrong. */
    public static final class UpstreamException extends Exception {
        UpstreamException(String message) {
            super(message);
        }
    }

    /** An upstream answer, and whether it came from the cache. */
    public record Result(Message response, boolean cached) {
    }

    private final List<InetSocketAddress> upstreams;
    private final List<SimpleResolver> resolvers = new ArrayList<>();
    private final UpstreamCache cache;

    public Forwarder(List<InetSocketAddress> upstreams, Duration timeout, UpstreamCache cache) {
        this.upstreams = List.copyOf(upstreams);
        this.cache = cache;
        for (InetSocketAddress upstream : this.upstreams) {
            SimpleResolver r = new SimpleResolver(upstream);
            r.setTimeout(timeout);
            r.setEDNS(0, EDNS_PAYLOAD, 0, List.of());
            resolvers.add(r);
        }
    }

    public List<InetSocketAddress> upstreams() {
        return upstreams;
    }

    /**
     * The upstream answer to {@code name} of {@code type} and {@code dclass}, from the cache while it is fresh.
     *
     * @throws UpstreamException when there is no upstream or none answered
     */
    public Result resolve(Name name, int type, int dclass) throws UpstreamException {
        Message cached = cache.get(name, type, dclass);
        if (cached != null) return new Result(cached, true);
        if (resolvers.isEmpty()) {
            throw new UpstreamException("no upstream resolvers are configured (--dns-upstream, or a nameserver in the host's resolv.conf that is not a loopback address)");
        }
        Message query = Message.newQuery(Record.newRecord(name, type, dclass));
        List<String> failures = new ArrayList<>();
        Message fallback = null;
        for (int i = 0; i < resolvers.size(); i++) {
            InetSocketAddress upstream = upstreams.get(i);
            try {
                Message response = resolvers.get(i).send(query);
                int rcode = response.getRcode();
                if (rcode == Rcode.SERVFAIL || rcode == Rcode.REFUSED) {
                    failures.add(address(upstream) + " answered " + Rcode.string(rcode));
                    fallback = response;
                    continue;
                }
                cache.put(name, type, dclass, response);
                return new Result(response, false);
            } catch (IOException e) {
                failures.add(address(upstream) + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            }
        }
        if (fallback != null) return new Result(fallback, false);
        throw new UpstreamException("no upstream answered " + name + " " + Type.string(type) + ": " + String.join("; ", failures));
    }

    private static String address(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
