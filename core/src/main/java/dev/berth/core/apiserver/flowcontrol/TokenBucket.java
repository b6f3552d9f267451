package dev.berth.core.apiserver.flowcontrol;

import java.time.Clock;

/** A token bucket: {@code burst} tokens, refilled at {@code qps} a second. Thread-safe. */
final class TokenBucket {
    private final double qps;
    private final int burst;
    private final Clock clock;
    private double tokens;
    private long lastMillis;

    TokenBucket(double qps, int burst, Clock clock) {
        this.qps = qps;
        this.burst = burst;
        this.clock = clock;
        this.tokens = burst;
        this.lastMillis = clock.millis();
    }

    /** Takes a token and returns 0, or returns how many milliseconds until one is there. */
    synchronized long take() {
        refill();
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return (long) Math.ceil((1 - tokens) / qps * 1000);
    }

    synchronized boolean full() {
        refill();
        return tokens >= burst;
    }

    private void refill() {
        long now = clock.millis();
        if (now > lastMillis) {
            tokens = Math.min(burst, tokens + (now - lastMillis) * qps / 1000.0);
            lastMillis = now;
        }
    }
}
