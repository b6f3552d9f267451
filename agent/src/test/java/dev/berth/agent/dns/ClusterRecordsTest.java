package dev.berth.agent.dns;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.util.List;

import static dev.berth.agent.dns.Cluster.clusterIp;
import static dev.berth.agent.dns.Cluster.endpoint;
import static dev.berth.agent.dns.Cluster.externalName;
import static dev.berth.agent.dns.Cluster.headless;
import static dev.berth.agent.dns.Cluster.pod;
import static dev.berth.agent.dns.Cluster.port;
import static dev.berth.agent.dns.Cluster.slice;
import static dev.berth.agent.dns.Cluster.slicePort;
import static org.assertj.core.api.Assertions.assertThat;

class ClusterRecordsTest {
    private Cluster cluster;
    private ClusterRecords records;

    @BeforeEach
    void setUp() {
        cluster = new Cluster();
        records = new ClusterRecords(cluster.view, "cluster.local", InetAddress.ofLiteral("10.43.0.10"),
                List.of("10.43.0.0/16", "10.42.0.0/16"), 42);
        cluster.add(clusterIp("default", "web", "10.43.0.20", port("http", 80, "TCP"), port(null, 81, "TCP")))
                .add(clusterIp("default", "dual", "10.43.0.21", port("dns", 53, "UDP"), port("dns-tcp", 53, "TCP")));
    }

    private Lookup ask(String name, int type) {
        try {
            return records.lookup(Name.fromString(name), type);
        } catch (TextParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static List<String> rdata(List<Record> rs) {
        return rs.stream().map(Record::rdataToString).toList();
    }

    private static void assertNoData(Lookup l) {
        assertThat(l.rcode()).isEqualTo(Rcode.NOERROR);
        assertThat(l.answer()).isEmpty();
        assertThat(l.authority()).singleElement().isInstanceOfSatisfying(SOARecord.class, soa -> {
            assertThat(soa.getMinimum()).isEqualTo(5);
            assertThat(soa.getTTL()).isEqualTo(5);
        });
    }

    private static void assertNxdomain(Lookup l) {
        assertThat(l.rcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(l.answer()).isEmpty();
        assertThat(l.authority()).singleElement().isInstanceOf(SOARecord.class);
    }

    @Test
    void aClusterIpServiceAnswersItsAddressForFiveSeconds() {
        Lookup l = ask("web.default.svc.cluster.local.", Type.A);
        assertThat(l.rcode()).isEqualTo(Rcode.NOERROR);
        assertThat(l.answer()).singleElement().satisfies(r -> {
            assertThat(r.getType()).isEqualTo(Type.A);
            assertThat(r.getName()).hasToString("web.default.svc.cluster.local.");
            assertThat(r.rdataToString()).isEqualTo("10.43.0.20");
            assertThat(r.getTTL()).isEqualTo(5);
        });
    }

    @Test
    void namesAreMatchedWithoutRegardToCaseAndAnsweredAsAsked() {
        Lookup l = ask("WEB.Default.SVC.Cluster.Local.", Type.A);
        assertThat(rdata(l.answer())).containsExactly("10.43.0.20");
        assertThat(l.answer().getFirst().getName()).hasToString("WEB.Default.SVC.Cluster.Local.");
    }

    @Test
    void anExistingNameOfAnotherTypeIsNoDataAndAaaaOfAnIpv4ServiceIsEmpty() {
        assertNoData(ask("web.default.svc.cluster.local.", Type.AAAA));
        assertNoData(ask("web.default.svc.cluster.local.", Type.TXT));
        assertNoData(ask("web.default.svc.cluster.local.", Type.SRV));
    }

    @Test
    void namesThatDoNotExistAreNxdomainButTheirParentsAreNoData() {
        assertNxdomain(ask("nope.default.svc.cluster.local.", Type.A));
        assertNxdomain(ask("web.elsewhere.svc.cluster.local.", Type.A));
        assertNxdomain(ask("elsewhere.svc.cluster.local.", Type.A));
        assertNxdomain(ask("a.b.web.default.svc.cluster.local.", Type.A));
        assertNxdomain(ask("example.com.default.svc.cluster.local.", Type.A));
        assertNxdomain(ask("foo.cluster.local.", Type.A));
        // parents of names that exist: empty non-terminals
        assertNoData(ask("default.svc.cluster.local.", Type.A));
        assertNoData(ask("svc.cluster.local.", Type.A));
        assertNoData(ask("pod.cluster.local.", Type.A));
        assertNoData(ask("_tcp.web.default.svc.cluster.local.", Type.A));
    }

    @Test
    void srvRecordsOfNamedPortsPointAtTheServiceWithItsAddressAdditional() {
        Lookup l = ask("_http._tcp.web.default.svc.cluster.local.", Type.SRV);
        assertThat(rdata(l.answer())).containsExactly("0 100 80 web.default.svc.cluster.local.");
        assertThat(l.additional()).singleElement().satisfies(r -> {
            assertThat(r.getName()).hasToString("web.default.svc.cluster.local.");
            assertThat(r.rdataToString()).isEqualTo("10.43.0.20");
        });
        assertThat(rdata(ask("_dns._udp.dual.default.svc.cluster.local.", Type.SRV).answer()))
                .containsExactly("0 100 53 dual.default.svc.cluster.local.");
        assertNxdomain(ask("_dns._tcp.dual.default.svc.cluster.local.", Type.SRV));
        assertNxdomain(ask("_http._udp.web.default.svc.cluster.local.", Type.SRV));
        assertNxdomain(ask("_udp.web.default.svc.cluster.local.", Type.SRV));
        assertNoData(ask("_http._tcp.web.default.svc.cluster.local.", Type.A));
    }

    @Test
    void aHeadlessServiceAnswersItsReadyEndpoints() {
        cluster.add(headless("default", "db", false, port("pg", 5432, "TCP")))
                .add(slice("default", "db", "db-abc", List.of(slicePort("pg", 5432, "TCP")),
                        endpoint("10.42.0.5", true, null), endpoint("10.42.0.6", null, null),
                        endpoint("10.42.0.7", false, null)))
                .add(slice("default", "db", "db-def", List.of(slicePort("pg", 5432, "TCP")),
                        endpoint("10.42.0.5", true, null), endpoint("10.42.0.8", true, null)));
        assertThat(rdata(ask("db.default.svc.cluster.local.", Type.A).answer()))
                .as("ready (or of unknown readiness), each address once")
                .containsExactlyInAnyOrder("10.42.0.5", "10.42.0.6", "10.42.0.8");
        assertThat(rdata(ask("10-42-0-6.db.default.svc.cluster.local.", Type.A).answer())).containsExactly("10.42.0.6");
        assertNxdomain(ask("10-42-0-7.db.default.svc.cluster.local.", Type.A));
        assertThat(rdata(ask("_pg._tcp.db.default.svc.cluster.local.", Type.SRV).answer())).containsExactlyInAnyOrder(
                "0 33 5432 10-42-0-5.db.default.svc.cluster.local.",
                "0 33 5432 10-42-0-6.db.default.svc.cluster.local.",
                "0 33 5432 10-42-0-8.db.default.svc.cluster.local.");
    }

    @Test
    void aHeadlessServiceWithPublishNotReadyAddressesAnswersEveryEndpoint() {
        cluster.add(headless("default", "peers", true))
                .add(slice("default", "peers", "peers-abc", List.of(), endpoint("10.42.0.5", true, null),
                        endpoint("10.42.0.7", false, null)));
        assertThat(rdata(ask("peers.default.svc.cluster.local.", Type.A).answer()))
                .containsExactlyInAnyOrder("10.42.0.5", "10.42.0.7");
    }

    @Test
    void aHeadlessServiceWithoutEndpointsIsNoData() {
        cluster.add(headless("default", "empty", false, port("pg", 5432, "TCP")));
        assertNoData(ask("empty.default.svc.cluster.local.", Type.A));
        assertNoData(ask("_pg._tcp.empty.default.svc.cluster.local.", Type.SRV));
    }

    @Test
    void statefulSetPodsGetStableNamesAndSrvTargetsUnderTheirService() {
        cluster.add(headless("shop", "nginx", false, port("web", 80, "TCP")))
                .add(slice("shop", "nginx", "nginx-1", List.of(slicePort("web", 8080, "TCP")),
                        endpoint("10.42.1.10", true, "web-0"), endpoint("10.42.1.11", true, "web-1")))
                .add(clusterIp("shop", "front", "10.43.1.1", port("web", 80, "TCP")))
                .add(slice("shop", "front", "front-1", List.of(slicePort("web", 8080, "TCP")),
                        endpoint("10.42.1.12", true, "front-0")));
        assertThat(rdata(ask("web-0.nginx.shop.svc.cluster.local.", Type.A).answer())).containsExactly("10.42.1.10");
        assertThat(rdata(ask("web-1.nginx.shop.svc.cluster.local.", Type.A).answer())).containsExactly("10.42.1.11");
        assertNxdomain(ask("web-2.nginx.shop.svc.cluster.local.", Type.A));
        assertNxdomain(ask("10-42-1-10.nginx.shop.svc.cluster.local.", Type.A));
        assertNxdomain(ask("front-0.front.shop.svc.cluster.local.", Type.A));
        Lookup srv = ask("_web._tcp.nginx.shop.svc.cluster.local.", Type.SRV);
        assertThat(rdata(srv.answer())).as("the endpoint's port (the target port), one record per endpoint")
                .containsExactlyInAnyOrder("0 50 8080 web-0.nginx.shop.svc.cluster.local.",
                        "0 50 8080 web-1.nginx.shop.svc.cluster.local.");
        assertThat(srv.additional()).extracting(r -> r.getName() + " " + r.rdataToString()).containsExactlyInAnyOrder(
                "web-0.nginx.shop.svc.cluster.local. 10.42.1.10", "web-1.nginx.shop.svc.cluster.local. 10.42.1.11");
    }

    @Test
    void anExternalNameServiceIsACnameFollowedInsideTheClusterOrLeftToUpstreams() {
        cluster.add(externalName("default", "db", "db.example.com"))
                .add(externalName("default", "alias", "web.default.svc.cluster.local"))
                .add(externalName("default", "dangling", "gone.default.svc.cluster.local"));
        Lookup cname = ask("db.default.svc.cluster.local.", Type.CNAME);
        assertThat(rdata(cname.answer())).containsExactly("db.example.com.");
        assertThat(cname.externalTarget()).isNull();

        Lookup a = ask("db.default.svc.cluster.local.", Type.A);
        assertThat(rdata(a.answer())).containsExactly("db.example.com.");
        assertThat(a.externalTarget()).hasToString("db.example.com.");

        Lookup inside = ask("alias.default.svc.cluster.local.", Type.A);
        assertThat(inside.answer()).extracting(r -> Type.string(r.getType()) + " " + r.rdataToString())
                .containsExactly("CNAME web.default.svc.cluster.local.", "A 10.43.0.20");
        assertThat(inside.externalTarget()).isNull();

        Lookup dangling = ask("dangling.default.svc.cluster.local.", Type.A);
        assertThat(dangling.rcode()).as("the target does not exist").isEqualTo(Rcode.NXDOMAIN);
        assertThat(rdata(dangling.answer())).containsExactly("gone.default.svc.cluster.local.");
        assertNxdomain(ask("_http._tcp.db.default.svc.cluster.local.", Type.SRV));
    }

    @Test
    void podsHaveARecordsNamedByTheirAddressInTheirNamespace() {
        cluster.add(pod("default", "client", "10.42.0.9"));
        assertThat(rdata(ask("10-42-0-9.default.pod.cluster.local.", Type.A).answer())).containsExactly("10.42.0.9");
        assertNxdomain(ask("10-42-0-9.other.pod.cluster.local.", Type.A));
        assertNxdomain(ask("10-42-0-99.default.pod.cluster.local.", Type.A));
        assertNxdomain(ask("10-42-0-300.default.pod.cluster.local.", Type.A));
        assertNxdomain(ask("client.default.pod.cluster.local.", Type.A));
        assertNoData(ask("default.pod.cluster.local.", Type.A));
        assertNoData(ask("10-42-0-9.default.pod.cluster.local.", Type.AAAA));
    }

    @Test
    void reverseNamesOfServicesEndpointsAndPodsPointBackAtTheirNames() {
        cluster.add(headless("shop", "nginx", false))
                .add(slice("shop", "nginx", "nginx-1", List.of(), endpoint("10.42.1.10", true, "web-0"),
                        endpoint("10.42.1.13", true, null)))
                .add(pod("default", "client", "10.42.0.9"));
        assertThat(rdata(ask("20.0.43.10.in-addr.arpa.", Type.PTR).answer())).containsExactly("web.default.svc.cluster.local.");
        assertThat(rdata(ask("10.1.42.10.in-addr.arpa.", Type.PTR).answer())).containsExactly("web-0.nginx.shop.svc.cluster.local.");
        assertThat(rdata(ask("13.1.42.10.in-addr.arpa.", Type.PTR).answer())).containsExactly("10-42-1-13.nginx.shop.svc.cluster.local.");
        assertThat(rdata(ask("9.0.42.10.in-addr.arpa.", Type.PTR).answer())).containsExactly("10-42-0-9.default.pod.cluster.local.");
        assertNoData(ask("20.0.43.10.in-addr.arpa.", Type.A));
        Lookup unknown = ask("99.0.43.10.in-addr.arpa.", Type.PTR);
        assertNxdomain(unknown);
        assertThat(unknown.authority().getFirst().getName()).hasToString("43.10.in-addr.arpa.");
        assertThat(ask("1.1.168.192.in-addr.arpa.", Type.PTR)).as("outside the cluster's ranges: forwarded").isNull();
        assertThat(ask("43.10.in-addr.arpa.", Type.PTR)).as("not an address: forwarded").isNull();
    }

    @Test
    void theZoneHasItsSoaNameServerAndSchemaVersion() {
        Lookup soa = ask("cluster.local.", Type.SOA);
        assertThat(soa.answer()).singleElement().isInstanceOfSatisfying(SOARecord.class, r -> {
            assertThat(r.getHost()).hasToString("ns.dns.cluster.local.");
            assertThat(r.getSerial()).isEqualTo(42);
        });
        Lookup ns = ask("cluster.local.", Type.NS);
        assertThat(rdata(ns.answer())).containsExactly("ns.dns.cluster.local.");
        assertThat(rdata(ns.additional())).containsExactly("10.43.0.10");
        assertThat(rdata(ask("ns.dns.cluster.local.", Type.A).answer())).containsExactly("10.43.0.10");
        assertThat(rdata(ask("dns-version.cluster.local.", Type.TXT).answer())).containsExactly("\"1.1.0\"");
    }

    @Test
    void anyReturnsEveryRecordOfTheName() {
        assertThat(ask("cluster.local.", Type.ANY).answer()).extracting(Record::getType).containsExactly(Type.SOA, Type.NS);
    }

    @Test
    void namesOutsideTheClusterAreNotOurs() {
        assertThat(ask("example.com.", Type.A)).isNull();
        assertThat(ask("local.", Type.A)).isNull();
        assertThat(ask("svc.cluster.localhost.", Type.A)).isNull();
    }

    @Test
    void changesInTheCachesShowInTheNextAnswer() {
        assertNxdomain(ask("late.default.svc.cluster.local.", Type.A));
        cluster.add(clusterIp("default", "late", "10.43.0.30"));
        assertThat(rdata(ask("late.default.svc.cluster.local.", Type.A).answer())).containsExactly("10.43.0.30");
        cluster.services.remove(cluster.services.getByKey("default/late"));
        assertNxdomain(ask("late.default.svc.cluster.local.", Type.A));
        assertThat(ask("30.0.43.10.in-addr.arpa.", Type.PTR).rcode()).isEqualTo(Rcode.NXDOMAIN);
    }
}
