/**
 * The HorizontalPodAutoscaler controller (autoscaling/v2): every 15 seconds it reads the target's
 * scale and the pods' resource metrics from {@code metrics.k8s.io}, computes the replica count as
 * Kubernetes does (tolerance, unready and missing pods), stabilises it over the behavior's windows,
 * limits the rate by the behavior's policies, and writes the target's scale.
 */
package dev.berth.core.controller.podautoscaler;
