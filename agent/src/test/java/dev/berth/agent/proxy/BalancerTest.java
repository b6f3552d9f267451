package dev.berth.agent.proxy;

import dev.berth.agent.proxy.ProxyTable.Endpoint;
import dev.berth.core.controller.runtime.FakeClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class BalancerTest {
    private final FakeClock clock = new FakeClock();
    private final Endpoint a = new Endpoint("10.42.0.2", 80);
    private final Endpoint b = new Endpoint("10.42.0.3", 80);
    private final Endpoint c = new Endpoint("10.42.0.4", 80);

    @Test
    void roundRobinVisitsEveryEndpointInTurnAndOffersTheOthersAsFallbacks() {
        Balancer balancer = new Balancer(clock);
        balancer.update(List.of(a, b, c), 0);
        List<Endpoint> firsts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            List<Endpoint> order = balancer.order("10.42.1.9");
            assertThat(order).containsExactlyInAnyOrder(a, b, c);
            firsts.add(order.getFirst());
        }
        assertThat(firsts.subList(0, 3)).containsExactlyInAnyOrder(a, b, c);
        assertThat(firsts.subList(3, 6)).isEqualTo(firsts.subList(0, 3));
    }

    @Test
    void noEndpointsMeansNothingToTry() {
        Balancer balancer = new Balancer(clock);
        assertThat(balancer.order("10.42.1.9")).isEmpty();
        balancer.update(List.of(a), 0);
        balancer.update(List.of(), 0);
        assertThat(balancer.order("10.42.1.9")).isEmpty();
    }

    @Test
    void clientIpAffinityKeepsAClientOnOneEndpointUntilItIsIdleForTheTimeout() {
        Balancer balancer = new Balancer(clock);
        balancer.update(List.of(a, b, c), 60);
        Endpoint first = balancer.order("10.42.1.9").getFirst();
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofSeconds(59));
            assertThat(balancer.order("10.42.1.9").getFirst()).as("each use renews the timeout").isEqualTo(first);
        }
        Set<Endpoint> others = new HashSet<>();
        for (int i = 0; i < 6; i++) others.add(balancer.order("10.42.1." + (20 + i)).getFirst());
        assertThat(others).as("other clients are spread").hasSize(3);

        clock.advance(Duration.ofSeconds(60));
        Set<Endpoint> after = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofSeconds(61));
            after.add(balancer.order("10.42.1.9").getFirst());
        }
        assertThat(after).as("idle longer than the timeout: round-robin again").hasSizeGreaterThan(1);
    }

    @Test
    void affinityEndsWhenItsEndpointGoes() {
        Balancer balancer = new Balancer(clock);
        balancer.update(List.of(a, b), 3600);
        Endpoint first = balancer.order("10.42.1.9").getFirst();
        Endpoint other = first.equals(a) ? b : a;
        balancer.update(List.of(other, c), 3600);
        assertThat(balancer.order("10.42.1.9").getFirst()).isIn(other, c);
    }
}
