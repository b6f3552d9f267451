/**
 * The namespace lifecycle controller: empties a namespace that is being deleted and removes the
 * {@code kubernetes} finalizer so that the API server can remove it. Entry point:
 * {@link dev.berth.core.controller.namespace.NamespaceDeletion}.
 */
package dev.berth.core.controller.namespace;
