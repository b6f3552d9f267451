package dev.berth.agent.proxy;

import dev.berth.agent.proxy.ProxyTable.Endpoint;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the userspace proxy sends the next connection of one Service port: round-robin over the
 * current endpoints, or, with ClientIP session affinity, the endpoint a client used last while it
 * used it less than the affinity timeout ago (kube-proxy's {@code recent --seconds}: every new
 * connection renews it). Endpoints are replaced as EndpointSlices change; connections already
 * relayed are not affected. Thread-safe: event loops pick while the proxy's worker updates.
 */
final class Balancer {
    /** Affinity entries beyond this many are pruned of expired ones on the next pick. */
    private static final int PRUNE_ABOVE = 4096;

    private record Sticky(Endpoint endpoint, Instant lastUsed) {
    }

    private record State(List<Endpoint> endpoints, int affinitySeconds) {
    }

    private final Clock clock;
    private final AtomicInteger next = new AtomicInteger();
    private final Map<String, Sticky> affinity = new ConcurrentHashMap<>();
    private volatile State state = new State(List.of(), 0);

    Balancer(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** From now on, new connections go to {@code endpoints}; affinity to endpoints no longer there ends. */
    void update(List<Endpoint> endpoints, int affinitySeconds) {
        State now = new State(List.copyOf(endpoints), affinitySeconds);
        if (now.equals(state)) return;
        state = now;
        if (affinitySeconds == 0) {
            affinity.clear();
        } else {
            affinity.values().removeIf(s -> !now.endpoints().contains(s.endpoint()));
        }
    }

    /** The current endpoints. */
    List<Endpoint> endpoints() {
        return state.endpoints();
    }

    /**
     * The endpoints to try for a new connection from {@code clientIp}, best first: the chosen one
     * (by affinity or round-robin), then the others in round-robin order as fallbacks should it
     * not answer. Empty when the Service port has no endpoints.
     */
    List<Endpoint> order(String clientIp) {
        State s = state;
        List<Endpoint> eps = s.endpoints();
        if (eps.isEmpty()) return List.of();
        int start = Math.floorMod(next.getAndIncrement(), eps.size());
        Endpoint chosen = eps.get(start);
        if (s.affinitySeconds() > 0) {
            Instant now = clock.instant();
            Sticky sticky = affinity.get(clientIp);
            if (sticky != null && eps.contains(sticky.endpoint())
                    && now.isBefore(sticky.lastUsed().plus(Duration.ofSeconds(s.affinitySeconds())))) {
                chosen = sticky.endpoint();
                start = eps.indexOf(chosen);
            }
            affinity.put(clientIp, new Sticky(chosen, now));
            if (affinity.size() > PRUNE_ABOVE) {
                Duration timeout = Duration.ofSeconds(s.affinitySeconds());
                affinity.values().removeIf(e -> !now.isBefore(e.lastUsed().plus(timeout)));
            }
        }
        List<Endpoint> out = new ArrayList<>(eps.size());
        for (int i = 0; i < eps.size(); i++) out.add(eps.get((start + i) % eps.size()));
        return out;
    }

    /** Records that {@code clientIp} ended up on {@code endpoint} (after a fallback), for affinity. */
    void used(String clientIp, Endpoint endpoint) {
        if (state.affinitySeconds() > 0) affinity.put(clientIp, new Sticky(endpoint, clock.instant()));
    }
}
