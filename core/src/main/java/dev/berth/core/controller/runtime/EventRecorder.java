package dev.berth.core.controller.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * Records core/v1 Events about objects, with Kubernetes' reasons (SuccessfulCreate,
 * ScalingReplicaSet, FailedScheduling, ...). Recording never blocks and never fails the caller.
 */
public interface EventRecorder {
    String NORMAL = "Normal";
    String WARNING = "Warning";

    void event(HasMetadata regarding, String type, String reason, String message);

    default void normal(HasMetadata regarding, String reason, String format, Object... args) {
        event(regarding, NORMAL, reason, args.length == 0 ? format : String.format(format, args));
    }

    default void warning(HasMetadata regarding, String reason, String format, Object... args) {
        event(regarding, WARNING, reason, args.length == 0 ? format : String.format(format, args));
    }

    /** Records nothing. */
    EventRecorder NONE = (regarding, type, reason, message) -> {
    };
}
