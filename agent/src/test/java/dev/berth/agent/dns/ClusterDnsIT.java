package dev.berth.agent.dns;

import dev.berth.core.apiserver.TestApiServer;
import dev.berth.core.controller.runtime.Informers;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static dev.berth.agent.dns.Cluster.endpoint;
import static dev.berth.agent.dns.Cluster.slice;
import static dev.berth.agent.dns.Cluster.slicePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cluster DNS server on a loopback address, fed by the informers of a real API server, with a
 * test upstream resolver on another loopback address, asked with dnsjava's resolver over UDP and TCP.
 */
class ClusterDnsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    static TestApiServer api;
    static KubernetesClient client;
    static Informers informers;
    static FakeUpstream upstream;
    static ClusterDns dns;
    static String webIp;

    @BeforeAll
    static void start() throws Exception {
        api = new TestApiServer(dir);
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(api.kubeconfig()))).build();
        // as in the agent: the shared informers run before the DNS asks for its caches and adds its indexes
        informers = new Informers(client);
        informers.start();
        int base = 2 + 2 * ThreadLocalRandom.current().nextInt(120);
        upstream = new FakeUpstream(InetAddress.ofLiteral("127.0.0." + base));
        upstream.add(new ARecord(name("www.example.test."), DClass.IN, 60, InetAddress.ofLiteral("192.0.2.10")),
                new ARecord(name("cdn.example.test."), DClass.IN, 60, InetAddress.ofLiteral("192.0.2.20")));
        for (int i = 1; i <= 150; i++) {
            upstream.add(new ARecord(name("big.example.test."), DClass.IN, 60, InetAddress.ofLiteral("198.51.100." + i)));
        }
        dns = ClusterDns.start(new ClusterDns.Settings(InetAddress.ofLiteral("127.0.0." + (base + 1)), 0, "cluster.local",
                InetAddress.ofLiteral("10.43.0.10"), List.of("10.43.0.0/16", "10.42.0.0/16"), List.of(upstream.address()),
                Duration.ofSeconds(2), 100), IndexedClusterView.of(informers), Clock.systemUTC());
        assertThat(dns.address()).isPresent();

        Service web = client.services().inNamespace("default").resource(new ServiceBuilder()
                .withNewMetadata().withName("web").endMetadata()
                .withNewSpec().addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString(8080)).endPort()
                .endSpec().build()).create();
        webIp = web.getSpec().getClusterIP();
        client.services().inNamespace("default").resource(new ServiceBuilder()
                .withNewMetadata().withName("nginx").endMetadata()
                .withNewSpec().withClusterIP("None").addNewPort().withName("web").withPort(80).endPort().endSpec().build()).create();
        client.discovery().v1().endpointSlices().inNamespace("default").resource(slice("default", "nginx", "nginx-abcde",
                List.of(slicePort("web", 8080, "TCP")), endpoint("10.42.1.10", true, "web-0"),
                endpoint("10.42.1.11", true, "web-1"), endpoint("10.42.1.12", false, "web-2"))).create();
        client.services().inNamespace("default").resource(new ServiceBuilder()
                .withNewMetadata().withName("ext").endMetadata()
                .withNewSpec().withType("ExternalName").withExternalName("cdn.example.test").endSpec().build()).create();
        client.services().inNamespace("default").resource(new ServiceBuilder()
                .withNewMetadata().withName("many").endMetadata()
                .withNewSpec().withClusterIP("None").endSpec().build()).create();
        List<Endpoint> many = new ArrayList<>();
        for (int i = 1; i <= 200; i++) many.add(endpoint("10.42.2." + i, true, null));
        client.discovery().v1().endpointSlices().inNamespace("default").resource(slice("default", "many", "many-abcde",
                List.of(), many.toArray(Endpoint[]::new))).create();
        Pod pod = client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("client")
                .endMetadata().withNewSpec().withNodeName("nowhere").addNewContainer().withName("main").withImage("busybox:1")
                .endContainer().endSpec().build()).create();
        client.pods().inNamespace("default").resource(new PodBuilder(pod).withNewStatus().withPhase("Running")
                .withPodIP("10.42.0.9").addNewPodIP().withIp("10.42.0.9").endPodIP().endStatus().build()).updateStatus();
        await().atMost(WAIT).until(() -> informers.list(Pod.class).stream().anyMatch(p -> p.getStatus() != null
                && "10.42.0.9".equals(p.getStatus().getPodIP())) && informers.list(EndpointSlice.class).size() == 2
                && informers.list(Service.class).size() >= 6);
    }

    @AfterAll
    static void stop() {
        if (dns != null) dns.close();
        if (upstream != null) upstream.close();
        if (informers != null) informers.close();
        if (client != null) client.close();
        if (api != null) api.close();
    }

    private static Name name(String s) {
        return Name.fromConstantString(s);
    }

    private static SimpleResolver resolver(boolean ignoreTruncation) {
        SimpleResolver r = new SimpleResolver(dns.address().orElseThrow());
        r.setTimeout(Duration.ofSeconds(5));
        r.setIgnoreTruncation(ignoreTruncation);
        return r;
    }

    private static Message ask(String name, int type) throws Exception {
        return resolver(false).send(Message.newQuery(Record.newRecord(name(name), type, DClass.IN)));
    }

    private static List<String> answers(Message m) {
        return m.getSection(Section.ANSWER).stream().map(r -> Type.string(r.getType()) + " " + r.rdataToString()).toList();
    }

    @Test
    void servicesAnswerTheirClusterIpAndSrvRecordsAuthoritatively() throws Exception {
        Message a = ask("web.default.svc.cluster.local.", Type.A);
        assertThat(a.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(a.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(answers(a)).containsExactly("A " + webIp);
        assertThat(a.getSection(Section.ANSWER).getFirst().getTTL()).isEqualTo(5);

        Message srv = ask("_http._tcp.web.default.svc.cluster.local.", Type.SRV);
        assertThat(answers(srv)).containsExactly("SRV 0 100 80 web.default.svc.cluster.local.");
        assertThat(srv.getSection(Section.ADDITIONAL)).extracting(Record::rdataToString).contains(webIp);

        Message kubeDns = ask("kube-dns.kube-system.svc.cluster.local.", Type.A);
        assertThat(answers(kubeDns)).as("the API server's own kube-dns Service").containsExactly("A 10.43.0.10");
    }

    @Test
    void headlessServicesAnswerReadyEndpointsAndStatefulSetHostnames() throws Exception {
        assertThat(answers(ask("nginx.default.svc.cluster.local.", Type.A)))
                .containsExactlyInAnyOrder("A 10.42.1.10", "A 10.42.1.11");
        assertThat(answers(ask("web-1.nginx.default.svc.cluster.local.", Type.A))).containsExactly("A 10.42.1.11");
        assertThat(ask("web-2.nginx.default.svc.cluster.local.", Type.A).getRcode()).as("not ready").isEqualTo(Rcode.NXDOMAIN);
        assertThat(answers(ask("_web._tcp.nginx.default.svc.cluster.local.", Type.SRV))).containsExactlyInAnyOrder(
                "SRV 0 50 8080 web-0.nginx.default.svc.cluster.local.", "SRV 0 50 8080 web-1.nginx.default.svc.cluster.local.");
    }

    @Test
    void anExternalNameServiceIsACnameWithTheUpstreamAddresses() throws Exception {
        Message a = ask("ext.default.svc.cluster.local.", Type.A);
        assertThat(a.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answers(a)).containsExactly("CNAME cdn.example.test.", "A 192.0.2.20");
        assertThat(answers(ask("ext.default.svc.cluster.local.", Type.CNAME))).containsExactly("CNAME cdn.example.test.");
    }

    @Test
    void podsAndReverseNamesAnswer() throws Exception {
        assertThat(answers(ask("10-42-0-9.default.pod.cluster.local.", Type.A))).containsExactly("A 10.42.0.9");
        assertThat(answers(ask(ReverseMap.fromAddress(webIp).toString(), Type.PTR)))
                .containsExactly("PTR web.default.svc.cluster.local.");
        assertThat(answers(ask("10.1.42.10.in-addr.arpa.", Type.PTR))).containsExactly("PTR web-0.nginx.default.svc.cluster.local.");
        assertThat(answers(ask("9.0.42.10.in-addr.arpa.", Type.PTR))).containsExactly("PTR 10-42-0-9.default.pod.cluster.local.");
        assertThat(ask("250.250.43.10.in-addr.arpa.", Type.PTR).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }

    @Test
    void missingNamesAreNxdomainAndOtherTypesOfExistingNamesAreNoData() throws Exception {
        Message nx = ask("nope.default.svc.cluster.local.", Type.A);
        assertThat(nx.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(nx.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(nx.getSection(Section.AUTHORITY)).extracting(Record::getType).containsExactly(Type.SOA);
        Message aaaa = ask("web.default.svc.cluster.local.", Type.AAAA);
        assertThat(aaaa.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(aaaa.getSection(Section.ANSWER)).isEmpty();
        assertThat(aaaa.getSection(Section.AUTHORITY)).extracting(Record::getType).containsExactly(Type.SOA);
    }

    @Test
    void otherNamesAreForwardedAndTheAnswersCached() throws Exception {
        Message first = ask("www.example.test.", Type.A);
        assertThat(first.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(first.getHeader().getFlag(Flags.AA)).isFalse();
        assertThat(answers(first)).containsExactly("A 192.0.2.10");
        int asked = upstream.udpQueries.get() + upstream.tcpQueries.get();
        Message second = ask("WWW.example.test.", Type.A);
        assertThat(answers(second)).containsExactly("A 192.0.2.10");
        assertThat(second.getSection(Section.ANSWER).getFirst().getTTL()).isLessThanOrEqualTo(60);
        assertThat(upstream.udpQueries.get() + upstream.tcpQueries.get()).as("answered from the cache").isEqualTo(asked);

        Message nx = ask("nope.example.test.", Type.A);
        assertThat(nx.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(nx.getSection(Section.AUTHORITY)).extracting(Record::getType).containsExactly(Type.SOA);
        assertThat(dns.stats().from(DnsStats.Source.FORWARDED)).isPositive();
        assertThat(dns.stats().from(DnsStats.Source.CACHED)).isPositive();
    }

    @Test
    void largeAnswersAreTruncatedOverUdpAndWholeOverTcp() throws Exception {
        Message udpOnly = resolver(true).send(Message.newQuery(Record.newRecord(name("many.default.svc.cluster.local."), Type.A, DClass.IN)));
        assertThat(udpOnly.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(udpOnly.getSection(Section.ANSWER).size()).isLessThan(200);
        assertThat(ask("many.default.svc.cluster.local.", Type.A).getSection(Section.ANSWER)).hasSize(200);

        int tcpBefore = upstream.tcpQueries.get();
        Message big = ask("big.example.test.", Type.A);
        assertThat(big.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(big.getSection(Section.ANSWER)).hasSize(150);
        assertThat(upstream.tcpQueries.get()).as("the upstream's truncated answer was asked again over TCP").isGreaterThan(tcpBefore);
    }

    @Test
    void whenNoUpstreamAnswersTheAnswerIsServfail() throws Exception {
        // an upstream that receives and never answers
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0));
             ClusterDns lonely = ClusterDns.start(new ClusterDns.Settings(InetAddress.ofLiteral("127.0.0.1"), 0, "cluster.local",
                     InetAddress.ofLiteral("10.43.0.10"), List.of("10.43.0.0/16"),
                     List.of((InetSocketAddress) silent.getLocalSocketAddress()), Duration.ofMillis(300), 10),
                     IndexedClusterView.of(informers), Clock.systemUTC())) {
            SimpleResolver r = new SimpleResolver(lonely.address().orElseThrow());
            r.setTimeout(Duration.ofSeconds(5));
            Message m = r.send(Message.newQuery(Record.newRecord(name("www.example.test."), Type.A, DClass.IN)));
            assertThat(m.getRcode()).isEqualTo(Rcode.SERVFAIL);
            Message cluster = r.send(Message.newQuery(Record.newRecord(name("web.default.svc.cluster.local."), Type.A, DClass.IN)));
            assertThat(answers(cluster)).as("cluster names need no upstream").containsExactly("A " + webIp);
        }
    }
}
