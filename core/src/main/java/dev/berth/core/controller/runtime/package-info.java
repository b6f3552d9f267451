/**
 * What every controller is built from: a {@link dev.berth.core.controller.runtime.WorkQueue} of keys
 * (deduplicated, one in flight per key, delayed and rate-limited adds), a
 * {@link dev.berth.core.controller.runtime.Reconciler} that returns a
 * {@link dev.berth.core.controller.runtime.Result}, the
 * {@link dev.berth.core.controller.runtime.Controller} loop of workers between them, and discovery
 * of the resources the API server serves. Controllers are API clients: nothing here knows the
 * API server's or the store's internals.
 */
package dev.berth.core.controller.runtime;
