package dev.berth.agent.network;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostCommandTest {
    private final HostCommand local = HostCommand.local();

    @Test
    void passesInputAndReturnsOutput() {
        assertThat(local.check(List.of("cat"), "*filter\nCOMMIT\n")).isEqualTo("*filter\nCOMMIT\n");
    }

    @Test
    void failureNamesTheCommandAndItsErrorOutput() {
        assertThatThrownBy(() -> local.check(List.of("sh", "-c", "echo 'no chain by that name' >&2; exit 3"), null))
                .isInstanceOf(HostCommand.CommandFailedException.class)
                .hasMessageContaining("sh -c")
                .hasMessageContaining("exit code 3")
                .hasMessageContaining("no chain by that name");
    }

    @Test
    void aMissingProgramIsAClearError() {
        assertThatThrownBy(() -> local.run(List.of("berth-no-such-program"), null))
                .hasMessageContaining("cannot run berth-no-such-program");
        assertThat(HostCommand.available("berth-no-such-program")).isFalse();
        assertThat(HostCommand.available("sh")).isTrue();
    }

    @Test
    void aCommandThatHangsIsKilledAtTheTimeLimit() {
        HostCommand quick = new HostCommand(null, Duration.ofMillis(200));
        assertThatThrownBy(() -> quick.run(List.of("sleep", "30"), null)).hasMessageContaining("did not finish within");
    }
}
