package dev.berth.agent.dns;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Answers one query: cluster names from {@link ClusterRecords} (authoritative, the AA flag set),
 * everything else through the {@link Forwarder}; SERVFAIL, with a log line, when no upstream
 * answers, and for cluster names until the caches have listed the cluster once. A CNAME of an
 * ExternalName Service is followed upstream, as CoreDNS does, so that clients get the addresses
 * in one answer.
 */
public final class QueryHandler implements DnsServer.Handler {
    /** At most one warning about failing upstreams per this interval; the others are counted in it. */
    static final Duration WARNING_INTERVAL = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(QueryHandler.class);

    private final ClusterRecords records;
    private final ClusterView view;
    private final Forwarder forwarder;
    private final DnsStats stats;
    private final Clock clock;
    private final Object warningLock = new Object();
    private Instant lastWarning;
    private final AtomicLong suppressed = new AtomicLong();

    public QueryHandler(ClusterRecords records, ClusterView view, Forwarder forwarder, DnsStats stats, Clock clock) {
        this.records = records;
        this.view = view;
        this.forwarder = forwarder;
        this.stats = stats;
        this.clock = clock;
    }

    @Override
    public Message handle(Message query, boolean tcp) {
        if (query.getHeader().getOpcode() != Opcode.QUERY) {
            return done(DnsStats.Source.FAILED, query, DnsServer.failure(query, Rcode.NOTIMP));
        }
        List<Record> questions = query.getSection(Section.QUESTION);
        if (questions.size() != 1) {
            return done(DnsStats.Source.FAILED, query, DnsServer.failure(query, Rcode.FORMERR));
        }
        Record question = questions.getFirst();
        Name name = question.getName();
        int type = question.getType();
        int dclass = question.getDClass();
        if (type == Type.AXFR || type == Type.IXFR) {
            return done(DnsStats.Source.FAILED, query, DnsServer.failure(query, Rcode.REFUSED));
        }
        if (dclass == DClass.IN || dclass == DClass.ANY) {
            Lookup lookup = records.lookup(name, type);
            if (lookup != null) {
                if (!view.synced()) {
                    log.debug("cluster DNS: {} {} asked before the cluster's objects were listed: SERVFAIL", name, Type.string(type));
                    return done(DnsStats.Source.FAILED, query, DnsServer.failure(query, Rcode.SERVFAIL));
                }
                return done(DnsStats.Source.CLUSTER, query, authoritative(query, lookup));
            }
        } else if (records.inZone(name)) {
            return done(DnsStats.Source.FAILED, query, DnsServer.failure(query, Rcode.REFUSED));
        }
        try {
            Forwarder.Result result = forwarder.resolve(name, type, dclass);
            Message response = DnsServer.failure(query, result.response().getRcode());
            copy(result.response(), response, Section.ANSWER);
            copy(result.response(), response, Section.AUTHORITY);
            copy(result.response(), response, Section.ADDITIONAL);
            return done(result.cached() ? DnsStats.Source.CACHED : DnsStats.Source.FORWARDED, query, response);
        } catch (Forwarder.UpstreamException e) {
            warn(e.getMessage() + "; answering SERVFAIL");
            return done(DnsStats.Source.FAILED, query, DnsServer.failure(query, Rcode.SERVFAIL));
        }
    }

    private Message authoritative(Message query, Lookup lookup) {
        Message response = DnsServer.failure(query, lookup.rcode());
        response.getHeader().setFlag(Flags.AA);
        for (Record r : lookup.answer()) response.addRecord(r, Section.ANSWER);
        for (Record r : lookup.authority()) response.addRecord(r, Section.AUTHORITY);
        for (Record r : lookup.additional()) response.addRecord(r, Section.ADDITIONAL);
        Name target = lookup.externalTarget();
        if (target != null) {
            int type = query.getQuestion().getType();
            try {
                Message upstream = forwarder.resolve(target, type, DClass.IN).response();
                copy(upstream, response, Section.ANSWER);
                if (upstream.getRcode() == Rcode.NXDOMAIN) response.getHeader().setRcode(Rcode.NXDOMAIN);
            } catch (Forwarder.UpstreamException e) {
                warn(e.getMessage() + "; answering the CNAME of " + query.getQuestion().getName() + " alone");
            }
        }
        return response;
    }

    private static void copy(Message from, Message to, int section) {
        for (Record r : from.getSection(section)) {
            if (r.getType() != Type.OPT) to.addRecord(r, section);
        }
    }

    private Message done(DnsStats.Source source, Message query, Message response) {
        if (query.getOPT() != null) {
            response.addRecord(new OPTRecord(Forwarder.EDNS_PAYLOAD, 0, 0), Section.ADDITIONAL);
        }
        stats.count(source, response.getRcode());
        return response;
    }

    private void warn(String message) {
        Instant now = clock.instant();
        synchronized (warningLock) {
            if (lastWarning != null && now.isBefore(lastWarning.plus(WARNING_INTERVAL))) {
                suppressed.incrementAndGet();
                return;
            }
            lastWarning = now;
        }
        long more = suppressed.getAndSet(0);
        log.warn("cluster DNS: {}{}", message, more == 0 ? "" : " (and " + more + " more upstream failures since the last report)");
    }
}
