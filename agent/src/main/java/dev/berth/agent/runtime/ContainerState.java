package dev.berth.agent.runtime;

/** What the runtime says of a container. */
public enum ContainerState {
    CREATED, RUNNING, EXITED, UNKNOWN
}
