package dev.berth.agent.dns;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test upstream resolver on a loopback address: answers the records it was given (NXDOMAIN with
 * an SOA for other names), over UDP and TCP, and counts the questions it got by transport.
 */
final class FakeUpstream implements AutoCloseable {
    private static final Name ZONE = Name.fromConstantString("example.test.");

    private final Map<String, List<Record>> records = new ConcurrentHashMap<>();
    final AtomicInteger udpQueries = new AtomicInteger();
    final AtomicInteger tcpQueries = new AtomicInteger();
    private final DnsServer server;

    FakeUpstream(InetAddress address) throws IOException {
        server = DnsServer.start(address, 0, this::answer, "fake-upstream");
    }

    InetSocketAddress address() {
        return server.address();
    }

    FakeUpstream add(Record... rs) {
        for (Record r : rs) {
            records.merge(key(r.getName(), r.getType()), List.of(r), (a, b) -> {
                var all = new java.util.ArrayList<>(a);
                all.addAll(b);
                return List.copyOf(all);
            });
        }
        return this;
    }

    private static String key(Name name, int type) {
        return name.canonicalize() + "/" + type;
    }

    private Message answer(Message query, boolean tcp) {
        (tcp ? tcpQueries : udpQueries).incrementAndGet();
        Record q = query.getQuestion();
        Message r = new Message(query.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setFlag(Flags.RA);
        r.addRecord(q, Section.QUESTION);
        List<Record> answer = records.get(key(q.getName(), q.getType()));
        if (answer != null) {
            answer.forEach(a -> r.addRecord(a, Section.ANSWER));
        } else {
            boolean exists = records.keySet().stream().anyMatch(k -> k.startsWith(q.getName().canonicalize() + "/"));
            r.getHeader().setRcode(exists ? Rcode.NOERROR : Rcode.NXDOMAIN);
            r.addRecord(new SOARecord(ZONE, DClass.IN, 60, Name.fromConstantString("ns.example.test."),
                    Name.fromConstantString("admin.example.test."), 1, 3600, 600, 86400, 60), Section.AUTHORITY);
        }
        if (query.getOPT() != null) r.addRecord(new org.xbill.DNS.OPTRecord(1232, 0, 0), Section.ADDITIONAL);
        return r;
    }

    @Override
    public void close() {
        server.close();
    }
}
