package dev.berth.agent;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AgentOptionsTest {
    private final AgentOptions defaults = AgentOptions.defaults(Path.of("node.kubeconfig")).withNodeName("n1");

    @Test
    void defaultsAreThoseOfANode() {
        assertThat(defaults.dataDir()).isEqualTo(Path.of("/var/lib/berth"));
        assertThat(defaults.dockerHost()).isEqualTo(URI.create("unix:///var/run/docker.sock"));
        assertThat(defaults.port()).isEqualTo(10250);
        assertThat(defaults.clusterDns()).isEqualTo("10.43.0.10");
        assertThat(defaults.clusterDomain()).isEqualTo("cluster.local");
        assertThat(defaults.podNetworkName()).isEqualTo("berth-pods");
        assertThat(AgentOptions.defaultNodeName()).isLowerCase().isNotEmpty();
    }

    @Test
    void badValuesAreRefusedNamingTheValueAndTheRule() {
        assertThatThrownBy(() -> defaults.withNodeName("Node_1"))
                .hasMessageStartingWith("node name \"Node_1\" is invalid: a lowercase RFC 1123 subdomain");
        assertThatThrownBy(() -> defaults.withPort(70000)).hasMessage("port 70000 must be between 0 and 65535");
        assertThatThrownBy(() -> defaults.withDockerHost(URI.create("http://localhost:2375")))
                .hasMessage("docker host \"http://localhost:2375\" must be a unix:// or tcp:// URI");
        assertThatThrownBy(() -> defaults.withDockerHost(URI.create("tcp://localhost")))
                .hasMessage("docker host \"tcp://localhost\" must be tcp://HOST:PORT");
        assertThatThrownBy(() -> AgentOptions.requireIp("--node-ip", "example.com"))
                .hasMessage("--node-ip \"example.com\" is not an IPv4 or IPv6 address");
    }

    @Test
    void theGatewayIsTheFirstAddressOfThePodCidr() {
        assertThat(Agent.gateway("10.42.3.0/24")).isEqualTo("10.42.3.1");
        assertThat(Agent.gateway("10.240.16.0/20")).isEqualTo("10.240.16.1");
        assertThatThrownBy(() -> Agent.gateway("10.42.3.5/24"))
                .hasMessage("\"10.42.3.5/24\" has host bits set; the network is 10.42.3.0/24");
        assertThatThrownBy(() -> Agent.gateway("10.42.3.0")).hasMessageContaining("is not a CIDR");
        assertThatThrownBy(() -> Agent.gateway("fd00::/64")).hasMessage("\"fd00::/64\" is not an IPv4 network");
    }

    @Test
    void badNetworkOptionsNameTheOptionTheValueAndTheRule() {
        AgentOptions o = AgentOptions.defaults(Path.of("/tmp/k"));
        assertThatThrownBy(() -> o.withClusterCidr("10.42.0.0"))
                .hasMessage("cluster CIDR \"10.42.0.0\" must be an IPv4 network like 10.42.0.0/16");
        assertThatThrownBy(() -> o.withServiceCidr("10.43.0.1/16"))
                .hasMessage("service CIDR \"10.43.0.1/16\" has host bits set");
        assertThatThrownBy(() -> o.withClusterCidr("10.0.0.0/31"))
                .hasMessageContaining("prefix length must be between 8 and 30");
        assertThatThrownBy(() -> AgentOptions.ProxyMode.parse("ipvs"))
                .hasMessage("proxy mode \"ipvs\" must be one of auto, iptables, userspace, none");
        assertThatThrownBy(() -> o.withDnsUpstreams(java.util.List.of("10.0.0.2:99999")))
                .hasMessage("DNS upstream \"10.0.0.2:99999\": port \"99999\" must be between 1 and 65535");
        assertThatThrownBy(() -> o.withDnsUpstreams(java.util.List.of("dns.example")))
                .hasMessage("DNS upstream \"dns.example\" is not an IPv4 or IPv6 address");
        assertThat(o.withDnsUpstreams(java.util.List.of("10.0.0.2:5353", "10.0.0.3")).dnsUpstreams())
                .containsExactly("10.0.0.2:5353", "10.0.0.3");
        assertThat(AgentOptions.ProxyMode.parse("IPTables")).isEqualTo(AgentOptions.ProxyMode.IPTABLES);
        assertThat(AgentOptions.ProxyMode.parse("none")).isEqualTo(AgentOptions.ProxyMode.NONE);
    }
}
