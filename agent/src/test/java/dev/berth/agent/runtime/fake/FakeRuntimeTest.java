package dev.berth.agent.runtime.fake;

import dev.berth.agent.runtime.ContainerInfo;
import dev.berth.agent.runtime.ContainerNotFoundException;
import dev.berth.agent.runtime.ContainerRuntimeException;
import dev.berth.agent.runtime.ContainerSpec;
import dev.berth.agent.runtime.ContainerState;
import dev.berth.agent.runtime.ExecResult;
import dev.berth.agent.runtime.ImageNotFoundException;
import dev.berth.agent.runtime.LogOptions;
import dev.berth.agent.runtime.RuntimeLabels;
import dev.berth.agent.runtime.SandboxSpec;
import dev.berth.core.controller.runtime.FakeClock;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FakeRuntimeTest {
    final FakeClock clock = new FakeClock();
    final FakeRuntime.Engine engine = new FakeRuntime.Engine();
    final FakeRuntime a = new FakeRuntime(engine, "berth-a-", "node-a", clock, "10.42.1.0/24");
    final FakeRuntime b = new FakeRuntime(engine, "berth-b-", "node-b", clock, "10.42.2.0/24");

    static SandboxSpec sandbox(String uid, String name) {
        return new SandboxSpec(uid, "default", name, name, false, "net", List.of(), List.of(), List.of(), List.of(),
                List.of(), false, false, Map.of(), Map.of("extra", "yes"));
    }

    static ContainerSpec container(String name, String image, int attempt) {
        return new ContainerSpec(name, RuntimeLabels.ROLE_APP, attempt, image, List.of(), List.of(), List.of(), "",
                List.of(), 0, 0, 2, "", false, false, List.of(), List.of(), false, false, false, Map.of("mine", "1"), List.of());
    }

    @Test
    void labelsPrefixesAndNodeFilteringAsTheSpiSays() {
        a.addImage("app:1");
        String sb = a.runSandbox(sandbox("u1", "web"));
        String c = a.createContainer(sb, sandbox("u1", "web"), container("app", "app:1", 3));
        String other = b.runSandbox(sandbox("u2", "db"));

        ContainerInfo info = a.inspect(c);
        assertThat(info.name()).startsWith("berth-a-");
        assertThat(info.state()).isEqualTo(ContainerState.CREATED);
        assertThat(info.labels()).containsEntry(RuntimeLabels.POD_UID, "u1").containsEntry(RuntimeLabels.POD_NAME, "web")
                .containsEntry(RuntimeLabels.POD_NAMESPACE, "default").containsEntry(RuntimeLabels.CONTAINER_NAME, "app")
                .containsEntry(RuntimeLabels.ROLE, "app").containsEntry(RuntimeLabels.ATTEMPT, "3")
                .containsEntry(RuntimeLabels.NODE, "node-a").containsEntry("mine", "1");
        assertThat(a.inspect(sb).labels()).containsEntry(RuntimeLabels.ROLE, "sandbox").containsEntry("extra", "yes");
        assertThat(a.listContainers(Map.of())).extracting(ContainerInfo::id).containsExactly(sb, c);
        assertThat(a.listContainers(Map.of(RuntimeLabels.ROLE, "app"))).extracting(ContainerInfo::id).containsExactly(c);
        assertThat(b.listContainers(Map.of())).extracting(ContainerInfo::id).containsExactly(other);
        assertThatThrownBy(() -> b.inspect(c)).isInstanceOf(ContainerNotFoundException.class);
    }

    @Test
    void sandboxesGetAddressesFromTheSubnetInOrderAndGiveThemBack() {
        String s1 = a.runSandbox(sandbox("u1", "p1"));
        String s2 = a.runSandbox(sandbox("u2", "p2"));
        assertThat(a.inspect(s1).ip()).isEqualTo("10.42.1.2");
        assertThat(a.inspect(s2).ip()).isEqualTo("10.42.1.3");
        a.removeContainer(s1);
        assertThat(a.inspect(a.runSandbox(sandbox("u3", "p3"))).ip()).isEqualTo("10.42.1.2");
        a.killSandbox("u2");
        assertThat(a.inspect(s2).ip()).isEmpty();
        assertThat(a.inspect(a.runSandbox(sandbox("u4", "p4"))).ip()).isEqualTo("10.42.1.3");
    }

    @Test
    void containersRunExitAndStopOnTheClock() {
        a.addImage("app:1");
        String sb = a.runSandbox(sandbox("u1", "web"));
        String c = a.createContainer(sb, sandbox("u1", "web"), container("app", "app:1", 0));
        a.startContainer(c);
        clock.advance(Duration.ofSeconds(5));
        a.exit(c, 3);
        ContainerInfo info = a.inspect(c);
        assertThat(info.state()).isEqualTo(ContainerState.EXITED);
        assertThat(info.exitCode()).isEqualTo(3);
        assertThat(Duration.between(info.startedAt(), info.finishedAt())).isEqualTo(Duration.ofSeconds(5));

        String d = a.createContainer(sb, sandbox("u1", "web"), container("app", "app:1", 1));
        a.startContainer(d);
        a.stopContainer(d, Duration.ofSeconds(30));
        assertThat(a.inspect(d).exitCode()).isEqualTo(143);
        assertThat(a.stops()).extracting(FakeRuntime.Stop::grace).containsExactly(Duration.ofSeconds(30));

        a.exitOnStart("app", 9);
        String e = a.createContainer(sb, sandbox("u1", "web"), container("app", "app:1", 2));
        a.startContainer(e);
        assertThat(a.inspect(e).exitCode()).isEqualTo(9);

        a.clearExitOnStart("app");
        String g = a.createContainer(sb, sandbox("u1", "web"), container("app", "app:1", 3));
        a.startContainer(g);
        a.oomKill(g);
        assertThat(a.inspect(g).oomKilled()).isTrue();
    }

    @Test
    void imagesPullsAndFailures() {
        assertThat(a.imageId("app:1")).isEmpty();
        a.failPull("app:1", "pull access denied");
        assertThatThrownBy(() -> a.pullImage("app:1", Optional.empty()))
                .isInstanceOf(ContainerRuntimeException.class).hasMessage("pull access denied")
                .extracting(ex -> ((ContainerRuntimeException) ex).reason()).isEqualTo("ErrImagePull");
        a.clearPullFailure("app:1");
        a.pullImage("app:1", Optional.empty());
        assertThat(a.imageId("app:1")).isPresent();
        assertThat(a.imageId("plain")).isEmpty();
        a.addImage("plain");
        assertThat(a.imageId("plain:latest")).isPresent();
        String sb = a.runSandbox(sandbox("u1", "web"));
        assertThatThrownBy(() -> a.createContainer(sb, sandbox("u1", "web"), container("x", "missing:1", 0)))
                .isInstanceOf(ImageNotFoundException.class);
        assertThat(a.images()).isNotEmpty();
    }

    @Test
    void execAndLogsAnswerAsTheTestSays() throws IOException {
        a.addImage("app:1");
        String sb = a.runSandbox(sandbox("u1", "web"));
        String c = a.createContainer(sb, sandbox("u1", "web"), container("app", "app:1", 0));
        a.startContainer(c);
        a.execHandler((info, cmd) -> new ExecResult(cmd.size(), String.join(" ", cmd), false));
        assertThat(a.exec(c, List.of("echo", "hi"), Duration.ofSeconds(1))).isEqualTo(new ExecResult(2, "echo hi", false));
        assertThat(a.execs()).extracting(FakeRuntime.Exec::containerName).containsExactly("app");
        a.appendLog(c, "one\ntwo\nthree\n");
        try (var in = a.logs(c, new LogOptions(false, 2, null, false, -1))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("two\nthree\n");
        }
        a.exit(c, 0);
        assertThatThrownBy(() -> a.exec(c, List.of("true"), Duration.ofSeconds(1)))
                .isInstanceOf(ContainerRuntimeException.class).hasMessageContaining("is not running");
    }

    @Test
    void badSubnetIsRefusedWithTheRule() {
        assertThatThrownBy(() -> new FakeRuntime("p-", "n", clock, "10.42.0.0"))
                .hasMessage("podSubnet 10.42.0.0 must be an IPv4 CIDR such as 10.42.0.0/24");
        assertThatThrownBy(() -> new FakeRuntime("", "n", clock, "10.42.0.0/24")).hasMessage("namePrefix must not be empty");
    }
}
