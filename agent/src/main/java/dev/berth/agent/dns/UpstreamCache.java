package dev.berth.agent.dns;

import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small cache of upstream answers, bounded in entries (least recently used go first) and
 * honouring TTLs: an answer lives as long as its shortest TTL (at most {@link #MAX_TTL}), a negative
 * one as long as its SOA says (RFC 2308), and records come out with the time they have left.
 * SERVFAIL and other failures are never kept.
 */
public final class UpstreamCache {
    /** The longest an answer is kept, whatever its TTL. */
    public static final Duration MAX_TTL = Duration.ofHours(1);

    private record Key(Name name, int type, int dclass) {
    }

    private record Cached(Message response, Instant stored, Instant expires) {
    }

    private final Clock clock;
    private final int capacity;
    private final Map<Key, Cached> entries;

    public UpstreamCache(Clock clock, int capacity) {
        if (capacity < 0) throw new IllegalArgumentException("cache capacity " + capacity + " must not be negative");
        this.clock = clock;
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Cached> eldest) {
                return size() > UpstreamCache.this.capacity;
            }
        };
    }

    /** The cached answer to the question, its TTLs lowered by the time it was kept; null when absent or expired. */
    public Message get(Name name, int type, int dclass) {
        Key key = new Key(name.canonicalize(), type, dclass);
        Cached e;
        Instant now = clock.instant();
        synchronized (entries) {
            e = entries.get(key);
            if (e == null) return null;
            if (!now.isBefore(e.expires())) {
                entries.remove(key);
                return null;
            }
        }
        long elapsed = Duration.between(e.stored(), now).toSeconds();
        Message copy = new Message(e.response().getHeader().getID());
        copy.getHeader().setRcode(e.response().getRcode());
        for (int flag : new int[]{org.xbill.DNS.Flags.RD, org.xbill.DNS.Flags.RA, org.xbill.DNS.Flags.AD}) {
            if (e.response().getHeader().getFlag(flag)) copy.getHeader().setFlag(flag);
        }
        for (Record q : e.response().getSection(Section.QUESTION)) copy.addRecord(q, Section.QUESTION);
        for (int section : new int[]{Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
            for (Record r : e.response().getSection(section)) {
                if (r.getType() == Type.OPT) continue;
                copy.addRecord(Record.newRecord(r.getName(), r.getType(), r.getDClass(), Math.max(0, r.getTTL() - elapsed),
                        r.rdataToWireCanonical()), section);
            }
        }
        return copy;
    }

    /** Keeps {@code response} to the question for as long as its TTLs allow; answers that may not be kept are ignored. */
    public void put(Name name, int type, int dclass, Message response) {
        if (capacity == 0) return;
        long ttl = ttlOf(response);
        if (ttl <= 0) return;
        Instant now = clock.instant();
        Cached e = new Cached(response, now, now.plusSeconds(Math.min(ttl, MAX_TTL.toSeconds())));
        synchronized (entries) {
            entries.put(new Key(name.canonicalize(), type, dclass), e);
        }
    }

    /** How many answers are kept. */
    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    /** Seconds {@code response} may be kept: its shortest TTL, or for a negative answer its SOA's; 0 when it may not. */
    static long ttlOf(Message response) {
        int rcode = response.getRcode();
        if (response.getHeader().getFlag(org.xbill.DNS.Flags.TC)) return 0;
        List<Record> answer = response.getSection(Section.ANSWER);
        if (rcode == Rcode.NOERROR && !answer.isEmpty()) {
            long min = Long.MAX_VALUE;
            for (int section : new int[]{Section.ANSWER, Section.AUTHORITY}) {
                for (Record r : response.getSection(section)) min = Math.min(min, r.getTTL());
            }
            return min;
        }
        if (rcode == Rcode.NOERROR || rcode == Rcode.NXDOMAIN) {
            for (Record r : response.getSection(Section.AUTHORITY)) {
                if (r instanceof SOARecord soa) return Math.min(soa.getTTL(), soa.getMinimum());
            }
        }
        return 0;
    }
}
