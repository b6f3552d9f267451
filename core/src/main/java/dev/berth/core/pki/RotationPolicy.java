package dev.berth.core.pki;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How long certificates live and when they are renewed, as Kubernetes' certificate manager does
 * it: a certificate is renewed once a jittered fraction of its life has passed (client-go uses
 * 70 to 90%), so that a fleet of nodes issued at the same time does not renew all at once, and
 * well before it expires, so that an API server away for a while does not strand its clients.
 * A certificate within its last {@link #WARN_FRACTION} of life is close to expiry: callers warn.
 *
 * @param clientLifetime  how long client certificates (users, nodes, the API server's own) are valid
 * @param servingLifetime how long serving certificates (API server, agents) are valid
 * @param renewAt         the fraction of a certificate's life after which it is renewed (0.8)
 * @param jitter          spread around {@code renewAt}, drawn once per certificate (0.1: 70% to 90%)
 * @param checkEvery      how often rotators look at their certificates
 */
public record RotationPolicy(Duration clientLifetime, Duration servingLifetime, double renewAt, double jitter,
                             Duration checkEvery) {
    /** Kubernetes' CSR signer refuses to issue for less than ten minutes. */
    public static final Duration MIN_LIFETIME = Duration.ofMinutes(10);
    /** The last part of a certificate's life in which it is reported as expiring. */
    public static final double WARN_FRACTION = 0.1;

    public RotationPolicy {
        requireLifetime("clientLifetime", clientLifetime);
        requireLifetime("servingLifetime", servingLifetime);
        Objects.requireNonNull(checkEvery, "checkEvery");
        if (checkEvery.isNegative() || checkEvery.isZero()) {
            throw new IllegalArgumentException("checkEvery: invalid value " + checkEvery + ": must be positive");
        }
        if (!(jitter >= 0) || !(renewAt - jitter > 0) || !(renewAt + jitter <= 1 - WARN_FRACTION)) {
            throw new IllegalArgumentException("renewAt " + renewAt + " with jitter " + jitter
                    + ": renewal must fall after the start and before the last " + (int) (WARN_FRACTION * 100)
                    + "% of a certificate's life (renewAt - jitter > 0, renewAt + jitter <= "
                    + (1 - WARN_FRACTION) + ")");
        }
    }

    /** One year for every certificate, renewed at 80% ± 10% of its life, checked every minute. */
    public static RotationPolicy defaults() {
        return new RotationPolicy(Duration.ofDays(365), Duration.ofDays(365), 0.8, 0.1, Duration.ofMinutes(1));
    }

    /** This policy with both lifetimes set to {@code lifetime} ({@code --cert-lifetime}). */
    public RotationPolicy withLifetime(Duration lifetime) {
        return new RotationPolicy(lifetime, lifetime, renewAt, jitter, checkEvery);
    }

    public RotationPolicy withCheckEvery(Duration every) {
        return new RotationPolicy(clientLifetime, servingLifetime, renewAt, jitter, every);
    }

    /**
     * When {@code certificate} is to be renewed: {@code notBefore} plus a fraction of its life drawn
     * uniformly from {@code renewAt ± jitter}. Draw once per certificate and keep the result.
     */
    public Instant deadline(X509Certificate certificate, RandomGenerator random) {
        Instant from = certificate.getNotBefore().toInstant();
        long life = Duration.between(from, certificate.getNotAfter().toInstant()).toMillis();
        double fraction = renewAt + jitter * (2 * random.nextDouble() - 1);
        return from.plusMillis((long) (life * fraction));
    }

    /** The latest renewal point this policy can draw: a certificate past it is renewed at once. */
    public Instant latestDeadline(X509Certificate certificate) {
        Instant from = certificate.getNotBefore().toInstant();
        long life = Duration.between(from, certificate.getNotAfter().toInstant()).toMillis();
        return from.plusMillis((long) (life * (renewAt + jitter)));
    }

    /** From when {@code certificate} is reported as expiring: the start of its last {@link #WARN_FRACTION}. */
    public static Instant warnFrom(X509Certificate certificate) {
        Instant from = certificate.getNotBefore().toInstant();
        Instant to = certificate.getNotAfter().toInstant();
        long life = Duration.between(from, to).toMillis();
        return to.minusMillis((long) (life * WARN_FRACTION));
    }

    /** Whether {@code certificate} is within its last {@link #WARN_FRACTION} of life (or expired) at {@code now}. */
    public static boolean expiringSoon(X509Certificate certificate, Instant now) {
        return !now.isBefore(warnFrom(certificate));
    }

    private static void requireLifetime(String field, Duration lifetime) {
        Objects.requireNonNull(lifetime, field);
        if (lifetime.compareTo(MIN_LIFETIME) < 0) {
            throw new IllegalArgumentException(field + ": invalid value " + lifetime + ": must be at least "
                    + MIN_LIFETIME.toMinutes() + " minutes");
        }
    }
}
