package dev.berth.agent.dns;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static dev.berth.agent.dns.Cluster.clusterIp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ClusterDnsTest {
    @Test
    void whenItsAddressIsTakenItKeepsTryingAndServesOnceItIsFree() throws Exception {
        Cluster cluster = new Cluster().add(clusterIp("default", "web", "10.43.0.20"));
        InetAddress loopback = InetAddress.ofLiteral("127.0.0.1");
        DatagramSocket squatter = new DatagramSocket(new InetSocketAddress(loopback, 0));
        int port = squatter.getLocalPort();
        try (ClusterDns dns = ClusterDns.start(new ClusterDns.Settings(loopback, port, "cluster.local",
                InetAddress.ofLiteral("10.43.0.10"), List.of("10.43.0.0/16"), List.of(), Duration.ofSeconds(1), 10),
                cluster.view, Clock.systemUTC())) {
            assertThat(dns.address()).as("the port is taken").isEmpty();
            squatter.close();
            await().atMost(ClusterDns.RETRY.multipliedBy(3)).until(() -> dns.address().isPresent());
            assertThat(dns.address().orElseThrow().getPort()).isEqualTo(port);

            SimpleResolver resolver = new SimpleResolver(dns.address().orElseThrow());
            resolver.setTimeout(Duration.ofSeconds(5));
            Message m = resolver.send(Message.newQuery(Record.newRecord(
                    Name.fromConstantString("web.default.svc.cluster.local."), Type.A, DClass.IN)));
            assertThat(m.getSection(Section.ANSWER)).extracting(Record::rdataToString).containsExactly("10.43.0.20");
            assertThat(dns.stats().queries()).isEqualTo(1);
        } finally {
            squatter.close();
        }
    }
}
