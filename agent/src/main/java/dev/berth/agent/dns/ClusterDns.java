package dev.berth.agent.dns;

import dev.berth.agent.AgentParts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The node-local cluster DNS: a {@link DnsServer} on the pod network's gateway, port 53, answering
 * with a {@link QueryHandler}. When the address cannot be bound yet (another server holds the port)
 * it logs why and tries again every {@link #RETRY} until it can or is closed; the counts of queries
 * and answers go to the log at debug level every {@link #STATS_INTERVAL} while they change.
 */
public final class ClusterDns implements AgentParts.NetworkPart {
    /** The port pods send their queries to (through the cluster DNS address). */
    public static final int PORT = 53;
    /** How often binding is tried again after it failed. */
    public static final Duration RETRY = Duration.ofSeconds(10);
    /** How often the counts are logged at debug level. */
    public static final Duration STATS_INTERVAL = Duration.ofMinutes(1);
    /** How many upstream answers are cached. */
    public static final int CACHE_ENTRIES = 10_000;

    private static final Logger log = LoggerFactory.getLogger(ClusterDns.class);

    /**
     * @param bind             the address to listen on (the pod network's gateway)
     * @param port             the port, {@link #PORT} on a node; 0 picks a free one (tests)
     * @param domain           the cluster domain
     * @param clusterDns       the cluster DNS Service's address
     * @param reverseCidrs     the service and cluster CIDRs, whose reverse names are answered here
     * @param upstreams        where other names are forwarded
     * @param upstreamTimeout  how long each upstream has to answer
     * @param cacheEntries     how many upstream answers are kept
     */
    public record Settings(InetAddress bind, int port, String domain, InetAddress clusterDns, List<String> reverseCidrs,
                           List<InetSocketAddress> upstreams, Duration upstreamTimeout, int cacheEntries) {
        public Settings {
            Objects.requireNonNull(bind, "bind");
            Objects.requireNonNull(domain, "domain");
            Objects.requireNonNull(clusterDns, "clusterDns");
            reverseCidrs = List.copyOf(reverseCidrs);
            upstreams = List.copyOf(upstreams);
            Objects.requireNonNull(upstreamTimeout, "upstreamTimeout");
        }
    }

    private final Settings settings;
    private final QueryHandler handler;
    private final DnsStats stats = new DnsStats();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("cluster-dns-timer").daemon(true).factory());
    private volatile DnsServer server;
    private volatile boolean closed;
    private String lastSummary = "";
    private int bindFailures;

    private ClusterDns(Settings settings, ClusterView view, Clock clock) {
        this.settings = settings;
        ClusterRecords records = new ClusterRecords(view, settings.domain(), settings.clusterDns(), settings.reverseCidrs(),
                clock.instant().getEpochSecond());
        Forwarder forwarder = new Forwarder(settings.upstreams(), settings.upstreamTimeout(),
                new UpstreamCache(clock, settings.cacheEntries()));
        this.handler = new QueryHandler(records, view, forwarder, stats, clock);
    }

    /** Starts serving, or keeps trying to in the background when the address cannot be bound yet. */
    public static ClusterDns start(Settings settings, ClusterView view, Clock clock) {
        ClusterDns dns = new ClusterDns(settings, view, clock);
        if (settings.upstreams().isEmpty()) {
            log.warn("cluster DNS: no upstream resolvers (give --dns-upstream, or a nameserver in /etc/resolv.conf that is not loopback); names outside {} will answer SERVFAIL",
                    settings.domain());
        }
        dns.tryBind();
        dns.timer.scheduleWithFixedDelay(dns::logStats, STATS_INTERVAL.toMillis(), STATS_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return dns;
    }

    private void tryBind() {
        if (closed) return;
        try {
            DnsServer s = DnsServer.start(settings.bind(), settings.port(), handler, "cluster-dns");
            synchronized (this) {
                if (closed) {
                    s.close();
                    return;
                }
                server = s;
            }
            log.info("cluster DNS serving {} on {} (UDP and TCP), forwarding other names to {}", settings.domain(),
                    s.address(), settings.upstreams());
        } catch (IOException e) {
            // every attempt at debug level, and a warning at the first and then every 5 minutes
            if (bindFailures++ % 30 == 0) {
                log.warn("cluster DNS: {}; trying again every {}s", e.getMessage(), RETRY.toSeconds());
            } else {
                log.debug("cluster DNS: {} (attempt {})", e.getMessage(), bindFailures);
            }
            timer.schedule(this::tryBind, RETRY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void logStats() {
        String summary = stats.summary();
        if (!summary.equals(lastSummary)) {
            lastSummary = summary;
            log.debug("cluster DNS: {}", summary);
        }
    }

    /** Where it listens, once bound. */
    public Optional<InetSocketAddress> address() {
        DnsServer s = server;
        return s == null ? Optional.empty() : Optional.of(s.address());
    }

    public DnsStats stats() {
        return stats;
    }

    @Override
    public void close() {
        DnsServer s;
        synchronized (this) {
            closed = true;
            s = server;
            server = null;
        }
        timer.shutdownNow();
        if (s != null) s.close();
        log.debug("cluster DNS stopped: {}", stats.summary());
    }
}
