package dev.berth.agent.dns;

import dev.berth.core.controller.runtime.FakeClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import static dev.berth.agent.dns.Cluster.clusterIp;
import static org.assertj.core.api.Assertions.assertThat;

class QueryHandlerTest {
    private Cluster cluster;
    private DnsStats stats;
    private QueryHandler handler;

    @BeforeEach
    void setUp() {
        cluster = new Cluster().add(clusterIp("default", "web", "10.43.0.20"));
        stats = new DnsStats();
        FakeClock clock = new FakeClock();
        ClusterRecords records = new ClusterRecords(cluster.view, "cluster.local", InetAddress.ofLiteral("10.43.0.10"),
                List.of("10.43.0.0/16"), 1);
        // no upstream at all: every forwarded name fails
        Forwarder forwarder = new Forwarder(List.of(), Duration.ofSeconds(1), new UpstreamCache(clock, 10));
        handler = new QueryHandler(records, cluster.view, forwarder, stats, clock);
    }

    private static Message query(String name, int type) {
        return Message.newQuery(Record.newRecord(Name.fromConstantString(name), type, DClass.IN));
    }

    @Test
    void clusterAnswersAreAuthoritativeAndEchoTheQuery() {
        Message q = query("web.default.svc.cluster.local.", Type.A);
        Message r = handler.handle(q, false);
        assertThat(r.getHeader().getID()).isEqualTo(q.getHeader().getID());
        assertThat(r.getHeader().getFlag(Flags.QR)).isTrue();
        assertThat(r.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(r.getHeader().getFlag(Flags.RD)).isTrue();
        assertThat(r.getHeader().getFlag(Flags.RA)).isTrue();
        assertThat(r.getQuestion()).isEqualTo(q.getQuestion());
        assertThat(r.getSection(Section.ANSWER)).extracting(Record::rdataToString).containsExactly("10.43.0.20");
        assertThat(r.getOPT()).as("no EDNS asked, none given").isNull();
        assertThat(stats.from(DnsStats.Source.CLUSTER)).isEqualTo(1);
        assertThat(stats.answers(Rcode.NOERROR)).isEqualTo(1);
    }

    @Test
    void anEdnsQueryGetsAnEdnsAnswer() {
        Message q = query("nope.default.svc.cluster.local.", Type.A);
        q.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
        Message r = handler.handle(q, false);
        assertThat(r.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(r.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(r.getOPT()).isNotNull();
        assertThat(r.getOPT().getPayloadSize()).isEqualTo(Forwarder.EDNS_PAYLOAD);
        assertThat(stats.answers(Rcode.NXDOMAIN)).isEqualTo(1);
    }

    @Test
    void beforeTheCachesHaveListedTheClusterItsNamesAnswerServfailNotNxdomain() {
        cluster.synced = false;
        Message r = handler.handle(query("web.default.svc.cluster.local.", Type.A), false);
        assertThat(r.getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(r.getSection(Section.ANSWER)).isEmpty();
        cluster.synced = true;
        assertThat(handler.handle(query("web.default.svc.cluster.local.", Type.A), false).getRcode()).isEqualTo(Rcode.NOERROR);
    }

    @Test
    void otherNamesWithoutAnUpstreamAnswerServfail() {
        Message r = handler.handle(query("www.example.com.", Type.A), false);
        assertThat(r.getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(r.getHeader().getFlag(Flags.AA)).isFalse();
        assertThat(stats.from(DnsStats.Source.FAILED)).isEqualTo(1);
        assertThat(stats.summary()).contains("1 queries").contains("failed 1").contains("SERVFAIL 1");
    }

    @Test
    void badQuestionsGetTheRightErrors() {
        Message notify = query("cluster.local.", Type.SOA);
        notify.getHeader().setOpcode(Opcode.NOTIFY);
        assertThat(handler.handle(notify, false).getRcode()).isEqualTo(Rcode.NOTIMP);

        Message two = query("web.default.svc.cluster.local.", Type.A);
        two.addRecord(Record.newRecord(Name.fromConstantString("cluster.local."), Type.SOA, DClass.IN), Section.QUESTION);
        assertThat(handler.handle(two, false).getRcode()).isEqualTo(Rcode.FORMERR);

        assertThat(handler.handle(query("cluster.local.", Type.AXFR), true).getRcode()).isEqualTo(Rcode.REFUSED);

        Message chaos = Message.newQuery(Record.newRecord(Name.fromConstantString("web.default.svc.cluster.local."), Type.TXT, DClass.CH));
        assertThat(handler.handle(chaos, false).getRcode()).isEqualTo(Rcode.REFUSED);
    }
}
