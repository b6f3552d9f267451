package dev.berth.core.controller.endpointslice;

import dev.berth.core.controller.runtime.FakeClock;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SliceTrackerTest {
    private final FakeClock clock = new FakeClock();
    private final SliceTracker tracker = new SliceTracker(clock);

    private static EndpointSlice slice(String name, String rv) {
        return new EndpointSliceBuilder().withNewMetadata().withName(name).withResourceVersion(rv).endMetadata().build();
    }

    @Test
    void waitsUntilTheCacheHoldsWhatWasWritten() {
        tracker.wrote("ns/web", Map.of("web-abc", "12"), Set.of("web-old"));
        assertThat(tracker.cacheCaughtUp("ns/web", List.of(slice("web-old", "5")))).isFalse();
        assertThat(tracker.cacheCaughtUp("ns/web", List.of(slice("web-abc", "11")))).isFalse();
        assertThat(tracker.cacheCaughtUp("ns/web", List.of(slice("web-abc", "12"), slice("web-old", "5")))).isFalse();
        assertThat(tracker.cacheCaughtUp("ns/web", List.of(slice("web-abc", "13")))).isTrue();
        // once caught up, nothing is awaited any more
        assertThat(tracker.cacheCaughtUp("ns/web", List.of())).isTrue();
        assertThat(tracker.cacheCaughtUp("ns/other", List.of())).isTrue();
    }

    @Test
    void givesUpWaitingAfterAWhileSoAMissedEventCannotStallAService() {
        tracker.wrote("ns/web", Map.of("web-abc", "12"), Set.of());
        clock.advance(Duration.ofSeconds(29));
        assertThat(tracker.cacheCaughtUp("ns/web", List.of())).isFalse();
        clock.advance(Duration.ofSeconds(2));
        assertThat(tracker.cacheCaughtUp("ns/web", List.of())).isTrue();
    }
}
