package dev.berth.agent.dns;

import org.xbill.DNS.Rcode;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counts of queries by where the answer came from, and of answers by rcode, for the agent's log. */
public final class DnsStats {
    /** Where an answer came from. */
    public enum Source { CLUSTER, FORWARDED, CACHED, FAILED }

    private final Map<Source, LongAdder> bySource = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> byRcode = new ConcurrentHashMap<>();

    void count(Source source, int rcode) {
        bySource.computeIfAbsent(source, s -> new LongAdder()).increment();
        byRcode.computeIfAbsent(rcode, r -> new LongAdder()).increment();
    }

    /** Queries answered so far. */
    public long queries() {
        return bySource.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Answers so far with {@code rcode}. */
    public long answers(int rcode) {
        LongAdder a = byRcode.get(rcode);
        return a == null ? 0 : a.sum();
    }

    /** Queries so far answered from {@code source}. */
    public long from(Source source) {
        LongAdder a = bySource.get(source);
        return a == null ? 0 : a.sum();
    }

    /** {@code 12 queries (cluster 9, forwarded 2, cached 1, failed 0); answers NOERROR 10, NXDOMAIN 2}. */
    public String summary() {
        StringBuilder s = new StringBuilder().append(queries()).append(" queries (");
        Source[] sources = Source.values();
        for (int i = 0; i < sources.length; i++) {
            s.append(i == 0 ? "" : ", ").append(sources[i].name().toLowerCase(java.util.Locale.ROOT)).append(' ').append(from(sources[i]));
        }
        s.append("); answers");
        Map<String, Long> rcodes = new TreeMap<>();
        byRcode.forEach((r, n) -> rcodes.put(Rcode.string(r), n.sum()));
        if (rcodes.isEmpty()) s.append(" none");
        String sep = " ";
        for (var e : rcodes.entrySet()) {
            s.append(sep).append(e.getKey()).append(' ').append(e.getValue());
            sep = ", ";
        }
        return s.toString();
    }
}
