package dev.berth.agent.dns;

import dev.berth.core.controller.runtime.FakeClock;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class UpstreamCacheTest {
    private static final Name NAME = Name.fromConstantString("www.example.com.");
    private static final Name ZONE = Name.fromConstantString("example.com.");

    private static Message answer(long... ttls) {
        Message m = Message.newQuery(Record.newRecord(NAME, Type.A, DClass.IN));
        m.getHeader().setFlag(Flags.QR);
        int i = 1;
        for (long ttl : ttls) {
            m.addRecord(new ARecord(NAME, DClass.IN, ttl, InetAddress.ofLiteral("192.0.2." + i++)), Section.ANSWER);
        }
        return m;
    }

    private static Message negative(int rcode, long soaTtl, long minimum) {
        Message m = Message.newQuery(Record.newRecord(NAME, Type.A, DClass.IN));
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setRcode(rcode);
        m.addRecord(new SOARecord(ZONE, DClass.IN, soaTtl, Name.fromConstantString("ns.example.com."),
                Name.fromConstantString("admin.example.com."), 1, 3600, 600, 86400, minimum), Section.AUTHORITY);
        return m;
    }

    @Test
    void anAnswerLivesAsLongAsItsShortestTtlAndComesOutWithTheTimeLeft() {
        FakeClock clock = new FakeClock();
        UpstreamCache cache = new UpstreamCache(clock, 10);
        cache.put(NAME, Type.A, DClass.IN, answer(300, 60));
        clock.advance(Duration.ofSeconds(20));
        Message hit = cache.get(Name.fromConstantString("WWW.example.com."), Type.A, DClass.IN);
        assertThat(hit).isNotNull();
        assertThat(hit.getSection(Section.ANSWER)).extracting(Record::getTTL).containsExactly(280L, 40L);
        assertThat(hit.getSection(Section.ANSWER)).extracting(Record::rdataToString).containsExactly("192.0.2.1", "192.0.2.2");
        clock.advance(Duration.ofSeconds(40));
        assertThat(cache.get(NAME, Type.A, DClass.IN)).as("expired with its shortest TTL").isNull();
        assertThat(cache.size()).isZero();
    }

    @Test
    void negativeAnswersLiveAsTheirSoaSaysAndFailuresAreNotKept() {
        FakeClock clock = new FakeClock();
        UpstreamCache cache = new UpstreamCache(clock, 10);
        cache.put(NAME, Type.A, DClass.IN, negative(Rcode.NXDOMAIN, 900, 30));
        assertThat(cache.get(NAME, Type.A, DClass.IN).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        clock.advance(Duration.ofSeconds(30));
        assertThat(cache.get(NAME, Type.A, DClass.IN)).isNull();

        cache.put(NAME, Type.AAAA, DClass.IN, negative(Rcode.NOERROR, 10, 300));
        clock.advance(Duration.ofSeconds(9));
        assertThat(cache.get(NAME, Type.AAAA, DClass.IN)).as("no data, kept min(SOA TTL, minimum)").isNotNull();
        clock.advance(Duration.ofSeconds(1));
        assertThat(cache.get(NAME, Type.AAAA, DClass.IN)).isNull();

        Message servfail = answer();
        servfail.getHeader().setRcode(Rcode.SERVFAIL);
        cache.put(NAME, Type.MX, DClass.IN, servfail);
        cache.put(NAME, Type.TXT, DClass.IN, answer());
        Message truncated = answer(60);
        truncated.getHeader().setFlag(Flags.TC);
        cache.put(NAME, Type.NS, DClass.IN, truncated);
        assertThat(cache.size()).isZero();
    }

    @Test
    void itKeepsAtMostItsCapacityDroppingTheLeastRecentlyUsed() {
        UpstreamCache cache = new UpstreamCache(new FakeClock(), 2);
        cache.put(NAME, Type.A, DClass.IN, answer(60));
        cache.put(NAME, Type.AAAA, DClass.IN, negative(Rcode.NOERROR, 60, 60));
        assertThat(cache.get(NAME, Type.A, DClass.IN)).isNotNull();
        cache.put(NAME, Type.MX, DClass.IN, negative(Rcode.NOERROR, 60, 60));
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.get(NAME, Type.AAAA, DClass.IN)).as("least recently used").isNull();
        assertThat(cache.get(NAME, Type.A, DClass.IN)).isNotNull();
        assertThat(cache.get(NAME, Type.MX, DClass.IN)).isNotNull();
    }

    @Test
    void nothingIsKeptLongerThanAnHour() {
        FakeClock clock = new FakeClock();
        UpstreamCache cache = new UpstreamCache(clock, 10);
        cache.put(NAME, Type.A, DClass.IN, answer(86400));
        clock.advance(UpstreamCache.MAX_TTL);
        assertThat(cache.get(NAME, Type.A, DClass.IN)).isNull();
    }
}
