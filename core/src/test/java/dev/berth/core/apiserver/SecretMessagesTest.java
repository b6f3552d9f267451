package dev.berth.core.apiserver;

import dev.berth.core.api.ApiException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** A malformed body may be a Secret: the error names where it broke, never the value. */
class SecretMessagesTest {
    @Test
    void aMalformedJsonBodyIsReportedWithoutEchoingItsTokens() {
        ApiException e = catchThrowableOfType(ApiException.class, () -> WireFormats.parseJson(
                "{\"kind\":\"Secret\",\"data\":{\"password\": hunter2-plaintext}}".getBytes(StandardCharsets.UTF_8)));
        assertThat(e.code()).isEqualTo(400);
        assertThat(e.getMessage()).startsWith("error decoding JSON body: Unrecognized token")
                .doesNotContain("hunter2");
    }

    @Test
    void aMalformedYamlBodyIsReportedWithoutItsContent() {
        ApiException e = catchThrowableOfType(ApiException.class, () -> WireFormats.parseYaml(
                "kind: Secret\nstringData:\n  password: [hunter2-plaintext\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(e.code()).isEqualTo(400);
        assertThat(e.getMessage()).startsWith("error decoding YAML body:").doesNotContain("hunter2");
    }
}
