package dev.berth.core.scheduler.framework;

/** A scheduling plugin: a small unit with a name that takes part in some extension points. */
public interface Plugin {
    String name();
}
