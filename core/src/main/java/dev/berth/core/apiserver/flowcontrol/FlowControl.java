package dev.berth.core.apiserver.flowcontrol;

import dev.berth.core.api.ApiException;
import dev.berth.core.apiserver.RequestInfo;
import dev.berth.core.apiserver.auth.UserInfo;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Keeps one client from starving the rest, like kube-apiserver's max-in-flight filter and its
 * request timeout: at most {@code maxRequestsInFlight} read and {@code maxMutatingRequestsInFlight}
 * write requests at once, a token bucket per user, and a deadline per request. Long-running
 * requests (watches, logs, exec, attach, port-forward, proxy) take no seat and have no deadline.
 * Members of the exempt groups ({@code system:masters}, as Kubernetes' exempt priority level) are
 * never throttled. A refused request gets 429 TooManyRequests with {@code Retry-After}.
 */
public final class FlowControl {
    public static final String TOO_MANY = "Too many requests, please try again later.";
    private static final Set<String> MUTATING = Set.of("create", "update", "patch", "delete", "deletecollection");
    private static final Set<String> LONG_RUNNING_SUBRESOURCES = Set.of("attach", "exec", "proxy", "log", "portforward");
    private static final int MAX_BUCKETS = 10_000;

    /**
     * @param maxRequestsInFlight         reads served at once (0: no limit)
     * @param maxMutatingRequestsInFlight writes served at once (0: no limit)
     * @param userQps                     requests per second a user may send on average (0: no limit)
     * @param userBurst                   requests a user may send at once after being idle
     * @param requestTimeout              longest time a request that is not long-running may take
     * @param exemptGroups                groups never throttled
     */
    public record Settings(int maxRequestsInFlight, int maxMutatingRequestsInFlight, double userQps, int userBurst,
                           Duration requestTimeout, Set<String> exemptGroups) {
        public Settings {
            if (maxRequestsInFlight < 0) throw bad("maxRequestsInFlight", maxRequestsInFlight, "must not be negative");
            if (maxMutatingRequestsInFlight < 0) {
                throw bad("maxMutatingRequestsInFlight", maxMutatingRequestsInFlight, "must not be negative");
            }
            if (userQps < 0 || Double.isNaN(userQps)) throw bad("userQps", userQps, "must not be negative");
            if (userQps > 0 && userBurst < 1) throw bad("userBurst", userBurst, "must be at least 1 when userQps is set");
            if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
                throw bad("requestTimeout", requestTimeout, "must be positive");
            }
            exemptGroups = Set.copyOf(exemptGroups);
        }

        private static IllegalArgumentException bad(String field, Object value, String rule) {
            return new IllegalArgumentException(field + ": invalid value " + value + ": " + rule);
        }

        /**
         * kube-apiserver's defaults (400 reads, 200 writes in flight, 60 s), and 100 requests a second per
         * user with bursts of 200: more than kubectl, a controller or a node agent sends.
         */
        public static Settings defaults() {
            return new Settings(400, 200, 100, 200, Duration.ofSeconds(60), Set.of(UserInfo.MASTERS));
        }

        public Settings withUserRate(double qps, int burst) {
            return new Settings(maxRequestsInFlight, maxMutatingRequestsInFlight, qps, burst, requestTimeout, exemptGroups);
        }

        public Settings withInFlight(int reads, int writes) {
            return new Settings(reads, writes, userQps, userBurst, requestTimeout, exemptGroups);
        }

        public Settings withRequestTimeout(Duration timeout) {
            return new Settings(maxRequestsInFlight, maxMutatingRequestsInFlight, userQps, userBurst, timeout, exemptGroups);
        }
    }

    /** A seat held while a request is served; closing gives it back. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    private static final Permit NONE = () -> {};

    private final Settings settings;
    private final Clock clock;
    private final Semaphore reads;
    private final Semaphore writes;
    private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    public FlowControl(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.reads = settings.maxRequestsInFlight() > 0 ? new Semaphore(settings.maxRequestsInFlight()) : null;
        this.writes = settings.maxMutatingRequestsInFlight() > 0 ? new Semaphore(settings.maxMutatingRequestsInFlight()) : null;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Kubernetes' long-running requests: watches (also {@code ?watch=true} on a get or list), and
     * the attach, exec, log, portforward and proxy subresources.
     */
    public static boolean longRunning(RequestInfo info, boolean watchParam) {
        if (!info.resourceRequest()) {
            return false;
        }
        if (info.verb().equals("watch") || info.verb().equals("proxy") || watchParam) {
            return true;
        }
        String sub = info.subresource();
        int slash = sub.indexOf('/');
        return LONG_RUNNING_SUBRESOURCES.contains(slash < 0 ? sub : sub.substring(0, slash));
    }

    /**
     * A seat for {@code user}'s request, or 429: the user's bucket is empty, or every seat of the
     * request's kind is taken. Long-running requests and exempt users pass without a seat.
     */
    public Permit admit(UserInfo user, RequestInfo info, boolean watchParam) {
        if (user.groups().stream().anyMatch(settings.exemptGroups()::contains)) {
            return NONE;
        }
        if (settings.userQps() > 0) {
            TokenBucket bucket = buckets.computeIfAbsent(user.name(),
                    k -> new TokenBucket(settings.userQps(), settings.userBurst(), clock));
            long waitMillis = bucket.take();
            if (waitMillis > 0) {
                throw tooManyRequests((int) Math.max(1, (waitMillis + 999) / 1000));
            }
            if (buckets.size() > MAX_BUCKETS) {
                buckets.values().removeIf(TokenBucket::full);
            }
        }
        if (longRunning(info, watchParam)) {
            return NONE;
        }
        Semaphore seats = MUTATING.contains(info.verb()) ? writes : reads;
        if (seats == null) {
            return NONE;
        }
        if (!seats.tryAcquire()) {
            throw tooManyRequests(1);
        }
        return new Permit() {
            private boolean released;

            @Override
            public synchronized void close() {
                if (!released) {
                    released = true;
                    seats.release();
                }
            }
        };
    }

    /** Seats free now, for tests and metrics: reads, then writes (-1 without a limit). */
    public int[] freeSeats() {
        return new int[] {reads == null ? -1 : reads.availablePermits(), writes == null ? -1 : writes.availablePermits()};
    }

    /** The deadline of a request: the {@code timeout} parameter when shorter than the configured one. */
    public Duration timeout(String timeoutParam) {
        Duration max = settings.requestTimeout();
        if (timeoutParam == null || timeoutParam.isEmpty()) {
            return max;
        }
        Duration asked;
        try {
            asked = dev.berth.core.sim.GoDuration.parse("timeout", timeoutParam);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        return asked.isZero() || asked.isNegative() || asked.compareTo(max) > 0 ? max : asked;
    }

    public static ApiException tooManyRequests(int retryAfterSeconds) {
        return new ApiException(429, "TooManyRequests", TOO_MANY, null, null, null, null, retryAfterSeconds);
    }

    /** 504 as kube-apiserver answers a request past its deadline. */
    public static ApiException timedOut() {
        return new ApiException(504, "Timeout",
                "Timeout: request did not complete within requested timeout - context deadline exceeded");
    }
}
