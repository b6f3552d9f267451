package dev.berth.agent.prober;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Java failures worded as the Go errors kubelet's probe messages carry. */
class GoTextTest {
    @Test
    void formatsDurationsAsGoDoes() {
        assertThat(GoText.duration(Duration.ofSeconds(1))).isEqualTo("1s");
        assertThat(GoText.duration(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(GoText.duration(Duration.ofSeconds(3600))).isEqualTo("1h0m0s");
    }

    @Test
    void joinsHostAndPortWithBracketsForIpv6() {
        assertThat(GoText.joinHostPort("10.42.0.5", 8080)).isEqualTo("10.42.0.5:8080");
        assertThat(GoText.joinHostPort("fd00::5", 8080)).isEqualTo("[fd00::5]:8080");
    }

    @Test
    void wordsDialErrorsAsGoNet() {
        assertThat(GoText.dialError("10.42.0.5:8080", new ConnectException("Connection refused")))
                .isEqualTo("dial tcp 10.42.0.5:8080: connect: connection refused");
        assertThat(GoText.dialError("10.42.0.5:8080", new SocketTimeoutException("Connect timed out")))
                .isEqualTo("dial tcp 10.42.0.5:8080: i/o timeout");
        assertThat(GoText.dialError("db.invalid:5432", new UnknownHostException("db.invalid")))
                .isEqualTo("dial tcp: lookup db.invalid: no such host");
    }

    @Test
    void quotesAsGoPercentQ() {
        assertThat(GoText.quote("cat \"/tmp/a b\"")).isEqualTo("\"cat \\\"/tmp/a b\\\"\"");
    }

    @Test
    void namesGrpcCodesAsGrpcGo() {
        assertThat(GrpcProber.goCode(Status.Code.NOT_FOUND)).isEqualTo("NotFound");
        assertThat(GrpcProber.goCode(Status.Code.CANCELLED)).isEqualTo("Canceled");
        assertThat(GrpcProber.goCode(Status.Code.UNAVAILABLE)).isEqualTo("Unavailable");
    }
}
