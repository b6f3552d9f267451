package dev.berth.core.api.patch;

/**
 * Public view of the merge strategies of built-in list fields, for publishing them in OpenAPI
 * ({@code x-kubernetes-patch-merge-key}, {@code x-kubernetes-list-type}) so that clients such as
 * kubectl compute strategic patches the way the server applies them.
 */
public final class PatchStrategies {
    private PatchStrategies() {}

    /** The rule for {@code property} of the fabric8 class {@code type}, or null when that list is atomic. */
    public static PatchSchema.ListRule listRule(Class<?> type, String property) {
        return StrategyTable.rule(type, property);
    }
}
