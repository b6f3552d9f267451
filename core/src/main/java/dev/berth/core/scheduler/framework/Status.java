package dev.berth.core.scheduler.framework;

import java.util.List;

/**
 * A plugin's verdict: a code, the reasons shown to users ("Insufficient cpu"), and the plugin that
 * decided. Immutable; {@link #SUCCESS} is shared.
 */
public record Status(Code code, List<String> reasons, String plugin) {
    public static final Status SUCCESS = new Status(Code.SUCCESS, List.of(), null);

    public Status {
        reasons = List.copyOf(reasons);
    }

    public static Status unschedulable(String plugin, String... reasons) {
        return new Status(Code.UNSCHEDULABLE, List.of(reasons), plugin);
    }

    public static Status unresolvable(String plugin, String... reasons) {
        return new Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, List.of(reasons), plugin);
    }

    public static Status error(String plugin, String message) {
        return new Status(Code.ERROR, List.of(message), plugin);
    }

    public boolean isSuccess() {
        return code == Code.SUCCESS;
    }

    /** True when the pod was turned away (as opposed to an internal error). */
    public boolean isRejected() {
        return code == Code.UNSCHEDULABLE || code == Code.UNSCHEDULABLE_AND_UNRESOLVABLE;
    }

    public String message() {
        return String.join(", ", reasons);
    }
}
