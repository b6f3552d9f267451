package dev.berth.core.controller.runtime;

import java.time.Duration;
import java.util.Objects;

/** What a {@link Reconciler} asks of its queue once it is through with a key. */
public sealed interface Result {
    /** The key is in order: forget its backoff. */
    static Result done() {
        return Done.INSTANCE;
    }

    /** Look again after {@code delay}, with no backoff (polling for something that takes time). */
    static Result requeueAfter(Duration delay) {
        return new RequeueAfter(delay);
    }

    /** Look again with the key's exponential backoff, without counting it as an error. */
    static Result requeue() {
        return Requeue.INSTANCE;
    }

    enum Done implements Result { INSTANCE }

    enum Requeue implements Result { INSTANCE }

    record RequeueAfter(Duration delay) implements Result {
        public RequeueAfter {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay " + delay + " must not be negative");
            }
        }
    }
}
