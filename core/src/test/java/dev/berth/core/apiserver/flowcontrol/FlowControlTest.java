package dev.berth.core.apiserver.flowcontrol;

import dev.berth.core.api.ApiException;
import dev.berth.core.apiserver.RequestInfo;
import dev.berth.core.apiserver.auth.UserInfo;
import dev.berth.core.controller.runtime.FakeClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlowControlTest {
    private static final UserInfo ANN = new UserInfo("ann", List.of("system:authenticated"));
    private static final UserInfo BOB = new UserInfo("bob", List.of("system:authenticated"));
    private static final UserInfo ADMIN = new UserInfo("admin", List.of(UserInfo.MASTERS));
    private static final RequestInfo LIST = RequestInfo.parse("GET", "/api/v1/namespaces/default/pods", false);
    private static final RequestInfo CREATE = RequestInfo.parse("POST", "/api/v1/namespaces/default/pods", false);
    private static final RequestInfo WATCH = RequestInfo.parse("GET", "/api/v1/pods", true);
    private static final RequestInfo EXEC = RequestInfo.parse("POST", "/api/v1/namespaces/default/pods/p/exec", false);

    private final FakeClock clock = new FakeClock();

    private static ApiException throttled(Runnable r) {
        try {
            r.run();
        } catch (ApiException e) {
            return e;
        }
        throw new AssertionError("expected 429");
    }

    @Test
    void aUserPastItsBurstGets429WithRetryAfterWhileAnotherUserIsServed() {
        FlowControl fc = new FlowControl(FlowControl.Settings.defaults().withUserRate(2, 3), clock);
        for (int i = 0; i < 3; i++) {
            fc.admit(ANN, LIST, false).close();
        }
        ApiException e = throttled(() -> fc.admit(ANN, LIST, false));
        assertThat(e.code()).isEqualTo(429);
        assertThat(e.reason()).isEqualTo("TooManyRequests");
        assertThat(e.getMessage()).isEqualTo("Too many requests, please try again later.");
        assertThat(e.retryAfterSeconds()).isEqualTo(1);
        fc.admit(BOB, LIST, false).close();

        clock.advance(Duration.ofMillis(500));   // one token back at 2 per second
        fc.admit(ANN, LIST, false).close();
        assertThat(throttled(() -> fc.admit(ANN, LIST, false)).code()).isEqualTo(429);
    }

    @Test
    void retryAfterSaysWhenTheNextTokenComes() {
        FlowControl fc = new FlowControl(FlowControl.Settings.defaults().withUserRate(0.2, 1), clock);
        fc.admit(ANN, LIST, false).close();
        assertThat(throttled(() -> fc.admit(ANN, LIST, false)).retryAfterSeconds()).isEqualTo(5);
    }

    @Test
    void readsAndWritesHaveTheirOwnSeatsAndLongRunningRequestsTakeNone() {
        FlowControl fc = new FlowControl(FlowControl.Settings.defaults().withUserRate(0, 0).withInFlight(1, 1), clock);
        FlowControl.Permit read = fc.admit(ANN, LIST, false);
        assertThat(throttled(() -> fc.admit(BOB, LIST, false)).code()).isEqualTo(429);
        FlowControl.Permit write = fc.admit(BOB, CREATE, false);
        assertThat(throttled(() -> fc.admit(ANN, CREATE, false)).code()).isEqualTo(429);
        fc.admit(ANN, WATCH, false).close();
        fc.admit(ANN, EXEC, false).close();
        fc.admit(ANN, RequestInfo.parse("GET", "/api/v1/namespaces/default/pods/p", false), true).close();
        read.close();
        read.close();   // twice gives back one seat only
        assertThat(fc.freeSeats()).containsExactly(1, 0);
        write.close();
        fc.admit(BOB, LIST, false).close();
    }

    @Test
    void mastersAreNeverThrottled() {
        FlowControl fc = new FlowControl(FlowControl.Settings.defaults().withUserRate(1, 1).withInFlight(1, 1), clock);
        FlowControl.Permit held = fc.admit(ANN, LIST, false);
        for (int i = 0; i < 10; i++) {
            fc.admit(ADMIN, LIST, false);
        }
        held.close();
    }

    @Test
    void theTimeoutParameterMayShortenButNotLengthenTheDeadline() {
        FlowControl fc = new FlowControl(FlowControl.Settings.defaults(), clock);
        assertThat(fc.timeout(null)).isEqualTo(Duration.ofSeconds(60));
        assertThat(fc.timeout("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(fc.timeout("10m")).isEqualTo(Duration.ofSeconds(60));
        assertThatThrownBy(() -> fc.timeout("soon")).isInstanceOf(ApiException.class)
                .hasMessageContaining("timeout").hasMessageContaining("\"soon\"");
    }

    @Test
    void longRunningRequestsAreWatchesAndStreamingSubresources() {
        assertThat(FlowControl.longRunning(WATCH, true)).isTrue();
        assertThat(FlowControl.longRunning(EXEC, false)).isTrue();
        assertThat(FlowControl.longRunning(RequestInfo.parse("GET", "/api/v1/namespaces/d/pods/p/log", false), false)).isTrue();
        assertThat(FlowControl.longRunning(RequestInfo.parse("GET", "/api/v1/nodes/n/proxy/metrics", false), false)).isTrue();
        assertThat(FlowControl.longRunning(LIST, false)).isFalse();
        assertThat(FlowControl.longRunning(RequestInfo.parse("PUT", "/api/v1/namespaces/d/pods/p/status", false), false)).isFalse();
    }

    @Test
    void badSettingsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> FlowControl.Settings.defaults().withInFlight(-1, 1))
                .hasMessage("maxRequestsInFlight: invalid value -1: must not be negative");
        assertThatThrownBy(() -> FlowControl.Settings.defaults().withUserRate(5, 0))
                .hasMessage("userBurst: invalid value 0: must be at least 1 when userQps is set");
        assertThatThrownBy(() -> FlowControl.Settings.defaults().withRequestTimeout(Duration.ZERO))
                .hasMessage("requestTimeout: invalid value PT0S: must be positive");
    }
}
