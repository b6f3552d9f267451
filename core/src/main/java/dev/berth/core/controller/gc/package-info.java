/**
 * The garbage collector: deletes dependents whose owners are gone, and carries out the
 * {@code foregroundDeletion} and {@code orphan} finalizers that deletes with propagation policies
 * Foreground and Orphan leave on an owner. Entry point: {@link dev.berth.core.controller.gc.GarbageCollector}.
 */
package dev.berth.core.controller.gc;
