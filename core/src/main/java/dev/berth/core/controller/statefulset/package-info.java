/**
 * The StatefulSet controller: ordinal pods with stable identity and claims, OrderedReady and
 * Parallel, RollingUpdate with partition and OnDelete. Entry point:
 * {@link dev.berth.core.controller.statefulset.StatefulSets}.
 */
package dev.berth.core.controller.statefulset;
