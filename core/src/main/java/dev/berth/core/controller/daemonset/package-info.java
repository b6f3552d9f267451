/**
 * The DaemonSet controller: one pod per eligible node, RollingUpdate and OnDelete, history as
 * ControllerRevisions. Entry point: {@link dev.berth.core.controller.daemonset.DaemonSets}.
 */
package dev.berth.core.controller.daemonset;
