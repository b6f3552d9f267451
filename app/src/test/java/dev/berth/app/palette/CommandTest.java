package dev.berth.app.palette;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CommandTest {
    @Test
    void matchesLettersInOrderAndRanksWordStartsFirst() {
        Runnable none = () -> {};
        List<Command> all = List.of(new Command("Go to Pods", "", none), new Command("Go to Deployments", "", none),
                new Command("Scale the selected Deployment", "", none), new Command("Toggle light and dark theme", "Ctrl+T", none));
        assertThat(CommandPalette.matching(all, "deploy")).extracting(Command::title)
                .containsExactly("Go to Deployments", "Scale the selected Deployment");
        assertThat(CommandPalette.matching(all, "gtp")).extracting(Command::title).first().isEqualTo("Go to Pods");
        assertThat(CommandPalette.matching(all, "theme")).extracting(Command::title).first().isEqualTo("Toggle light and dark theme");
        assertThat(CommandPalette.matching(all, "zzz")).isEmpty();
        assertThat(CommandPalette.matching(all, "")).hasSize(4);
    }
}
