/**
 * Revision history of DaemonSets and StatefulSets as apps/v1 ControllerRevisions, as Kubernetes'
 * {@code pkg/controller/history}.
 */
package dev.berth.core.controller.history;
