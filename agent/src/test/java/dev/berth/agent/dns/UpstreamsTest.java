package dev.berth.agent.dns;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UpstreamsTest {
    @TempDir
    Path dir;

    private static String text(List<InetSocketAddress> servers) {
        return servers.stream().map(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).toList().toString();
    }

    @Test
    void configuredUpstreamsWinWithPort53ByDefault() throws Exception {
        Path conf = Files.writeString(dir.resolve("resolv.conf"), "nameserver 192.0.2.1\n");
        assertThat(text(Upstreams.resolve(List.of("127.0.0.9:5353", "192.0.2.7", "[fd00::1]:53"), List.of(conf))))
                .isEqualTo("[127.0.0.9:5353, 192.0.2.7:53, fd00:0:0:0:0:0:0:1:53]");
    }

    @Test
    void theHostsNameserversAreUsedWithoutLoopbackOnes() throws Exception {
        Path conf = Files.writeString(dir.resolve("resolv.conf"), """
                # written by the DHCP client
                search lab.example
                nameserver 127.0.0.53
                nameserver 192.0.2.1
                nameserver 192.0.2.2
                options edns0 trust-ad
                """);
        assertThat(text(Upstreams.resolve(List.of(), List.of(conf)))).isEqualTo("[192.0.2.1:53, 192.0.2.2:53]");
    }

    @Test
    void whenTheHostOnlyNamesALocalResolverItsOwnUpstreamsAreRead() throws Exception {
        Path stub = Files.writeString(dir.resolve("resolv.conf"), "nameserver 127.0.0.53\noptions edns0\n");
        Path resolved = Files.writeString(dir.resolve("systemd-resolv.conf"), "nameserver 192.0.2.53\n");
        assertThat(text(Upstreams.resolve(List.of(), List.of(stub, dir.resolve("missing"), resolved))))
                .isEqualTo("[192.0.2.53:53]");
        assertThat(Upstreams.resolve(List.of(), List.of(stub, dir.resolve("missing")))).isEmpty();
    }
}
