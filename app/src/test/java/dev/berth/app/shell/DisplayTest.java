package dev.berth.app.shell;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DisplayTest {
    @Test
    void aLinuxMachineWithoutDisplayIsToldWhatToRunInstead() {
        assertThat(Display.missing("Linux", Map.of(), null)).hasValueSatisfying(m -> assertThat(m)
                .contains("no display").contains("./berth server").contains("./berth --help"));
        assertThat(Display.missing("Linux", Map.of("DISPLAY", ":0"), null)).isEmpty();
        assertThat(Display.missing("Linux", Map.of("WAYLAND_DISPLAY", "wayland-0"), null)).isEmpty();
        assertThat(Display.missing("Linux", Map.of(), "Monocle")).isEmpty();
        assertThat(Display.missing("Mac OS X", Map.of(), null)).isEmpty();
    }
}
