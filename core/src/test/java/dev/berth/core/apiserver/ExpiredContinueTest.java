package dev.berth.core.apiserver;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ExpiredContinueTest {
    @Test
    void anExpiredContinueIsA410StatusCarryingATokenForTheRest() {
        String rest = new ApiHandlers.Continue("/core/configmaps/ns/", "/core/configmaps/ns/b", -1).encode();
        var status = StatusErrors.status(new ApiHandlers.ExpiredContinueException(rest));
        assertThat(status.path("code").asInt()).isEqualTo(410);
        assertThat(status.path("reason").asText()).isEqualTo("Expired");
        assertThat(status.path("message").asText()).startsWith("The provided continue parameter is too old");
        assertThat(status.path("metadata").path("continue").asText()).isEqualTo(rest);
        ApiHandlers.Continue decoded = ApiHandlers.Continue.decode(status.path("metadata").path("continue").asText());
        assertThat(decoded.revision()).as("the new token reads the current state").isEqualTo(-1);
        assertThat(decoded.lastKey()).isEqualTo("/core/configmaps/ns/b");
    }
}
