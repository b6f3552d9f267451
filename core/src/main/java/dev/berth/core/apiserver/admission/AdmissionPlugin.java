package dev.berth.core.apiserver.admission;

/**
 * A step of the admission chain. Mutating steps run first, in order, then validating steps;
 * either may refuse the write by throwing {@link dev.berth.core.api.ApiException}.
 */
public interface AdmissionPlugin {
    default void mutate(AdmissionRequest request) {}

    default void validate(AdmissionRequest request) {}
}
