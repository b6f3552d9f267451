package dev.berth.core.provision;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SshConfigTest {
    @TempDir
    Path home;

    SshConfig config(String text) throws Exception {
        Files.createDirectories(home.resolve(".ssh"));
        Path file = home.resolve(".ssh/config");
        Files.writeString(file, text);
        return SshConfig.load(file, home);
    }

    @Test
    void hostBlockGivesHostNameUserPortIdentityAndProxyJump() throws Exception {
        SshConfig c = config("""
                Host lab-*
                  User student
                  IdentityFile %s/lab_key
                  IdentityFile ~/.ssh/other_key
                Host lab-pc-2
                  HostName 192.0.2.12
                  Port 2222
                  ProxyJump admin@gateway:2200
                Host gateway
                  HostName 192.0.2.1
                """.formatted(home));
        SshTarget t = c.resolve("lab-pc-2", null, null, null);
        assertThat(t.hostName()).isEqualTo("192.0.2.12");
        assertThat(t.port()).isEqualTo(2222);
        assertThat(t.user()).isEqualTo("student");
        assertThat(t.identities()).containsExactly(home.resolve("lab_key"),
                Path.of(System.getProperty("user.home"), ".ssh", "other_key"));
        assertThat(t.proxyJump()).singleElement().satisfies(hop -> {
            assertThat(hop.alias()).isEqualTo("gateway");
            assertThat(hop.hostName()).isEqualTo("192.0.2.1");
            assertThat(hop.user()).isEqualTo("admin");
            assertThat(hop.port()).isEqualTo(2200);
        });
    }

    @Test
    void commandLineWinsOverTheFile() throws Exception {
        SshConfig c = config("""
                Host lab-pc-2
                  User student
                  Port 2222
                """);
        Path key = home.resolve("mykey");
        SshTarget t = c.resolve("lab-pc-2", "root", 22, key);
        assertThat(t.user()).isEqualTo("root");
        assertThat(t.port()).isEqualTo(22);
        assertThat(t.identities()).first().isEqualTo(key);
    }

    @Test
    void withoutConfigTheDefaultsApply() throws Exception {
        Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(home.resolve(".ssh/id_ed25519"), "x");
        SshTarget t = SshConfig.load(home.resolve(".ssh/none"), home).resolve("10.1.2.3", null, null, null);
        assertThat(t.hostName()).isEqualTo("10.1.2.3");
        assertThat(t.port()).isEqualTo(22);
        assertThat(t.user()).isEqualTo(System.getProperty("user.name"));
        assertThat(t.identities()).containsExactly(home.resolve(".ssh/id_ed25519"));
        assertThat(t.proxyJump()).isEmpty();
    }

    @Test
    void proxyJumpListsHopsInOrder() throws Exception {
        SshConfig c = config("""
                Host inner
                  ProxyJump a,b:2201
                """);
        assertThat(c.resolve("inner", null, null, null).proxyJump()).extracting(SshTarget::hostName, SshTarget::port)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", 22), org.assertj.core.groups.Tuple.tuple("b", 2201));
    }

    @Test
    void hostsOutsideEveryBlockGetNothingFromThem() throws Exception {
        SshConfig c = config("""
                Host other
                  User nobody
                """);
        assertThat(c.resolve("lab", "me", null, null).user()).isEqualTo("me");
        assertThat(c.resolve("lab", null, null, null).identities()).isEqualTo(List.of());
    }
}
