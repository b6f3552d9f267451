package dev.berth.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PrivilegesTest {
    static final URI SOCKET = URI.create("unix:///var/run/docker.sock");

    static Privileges.Host host(long uid, String dockerProblem, boolean iptables) {
        return new Privileges.Host() {
            @Override
            public long effectiveUid() {
                return uid;
            }

            @Override
            public Optional<String> dockerUnreachable(URI uri) {
                return Optional.ofNullable(dockerProblem);
            }

            @Override
            public Optional<Path> findExecutable(String name) {
                return iptables ? Optional.of(Path.of("/usr/sbin/iptables")) : Optional.empty();
            }
        };
    }

    @Test
    void rootWithDockerAndIptablesMayStart() {
        assertThat(Privileges.missing(host(0, null, true), SOCKET)).isEmpty();
    }

    @Test
    void namesEveryMissingPrivilege() {
        List<String> missing = Privileges.missing(host(1000, "Connection refused", false), SOCKET);

        assertThat(missing).hasSize(3);
        assertThat(missing.get(0)).startsWith("not root: the agent runs as uid 1000");
        assertThat(missing.get(1)).startsWith("Docker socket unreachable at unix:///var/run/docker.sock: Connection refused");
        assertThat(missing.get(2)).startsWith("iptables not found");
    }

    @Test
    void theAgentRefusesToStartWithoutAPrivilegeBeforeMakingAnyPart(@TempDir Path dir) {
        TestParts parts = new TestParts("n1");
        AgentOptions options = AgentOptions.defaults(dir.resolve("kubeconfig")).withNodeName("n1").withDataDir(dir);
        Agent agent = new Agent(options, parts, null, List.of(), host(1000, null, true), Clock.systemUTC());

        assertThatThrownBy(agent::start).isInstanceOf(Privileges.MissingPrivilegeException.class)
                .hasMessage("the agent cannot start: not root: the agent runs as uid 1000 but needs root for the Docker "
                        + "socket, iptables, routes and the DNS port; run it with sudo or as a system service");
        assertThat(parts.runtime.calls).isEmpty();
    }

    @Test
    void thisBuildHasEveryPartOfTheAgent() {
        assertThat(new ProductionParts().missing()).isEmpty();
    }

    @Test
    void anAgentLackingAPartNamesItInsteadOfStarting(@TempDir Path dir) {
        AgentOptions options = AgentOptions.defaults(dir.resolve("kubeconfig")).withNodeName("n1").withDataDir(dir);
        TestParts parts = new TestParts("n1");
        AgentParts lacking = (AgentParts) java.lang.reflect.Proxy.newProxyInstance(AgentParts.class.getClassLoader(),
                new Class<?>[] {AgentParts.class}, (proxy, method, args) -> method.getName().equals("missing")
                        ? List.of("the Docker runtime (dev.berth.agent.runtime.docker.DockerRuntime)")
                        : method.invoke(parts, args));
        Agent agent = new Agent(options, lacking, null, List.of(), host(0, null, true), Clock.systemUTC());

        assertThatThrownBy(agent::start).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("this build of berth cannot run a node agent yet; missing: ")
                .hasMessageContaining("DockerRuntime");
        assertThat(parts.runtime.calls).isEmpty();
    }

    @Test
    void theSystemHostFindsNoDockerAtAMissingSocket(@TempDir Path dir) {
        URI uri = URI.create("unix://" + dir.resolve("docker.sock"));
        assertThat(Privileges.system().dockerUnreachable(uri)).hasValueSatisfying(reason ->
                assertThat(reason).endsWith("docker.sock does not exist"));
        assertThat(Privileges.system().findExecutable("sh")).isPresent();
    }
}
