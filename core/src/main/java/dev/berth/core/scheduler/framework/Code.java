package dev.berth.core.scheduler.framework;

/** The outcome kinds of a plugin, as kube-scheduler's status codes. */
public enum Code {
    SUCCESS,
    /** The pod does not fit now; preempting lower-priority pods on the node may help. */
    UNSCHEDULABLE,
    /** The pod does not fit, and preemption on this node would not change that. */
    UNSCHEDULABLE_AND_UNRESOLVABLE,
    /** Something went wrong inside the scheduler (a missing object, an API failure). */
    ERROR
}
