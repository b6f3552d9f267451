/**
 * Resource metrics of nodes and pods, as metrics-server keeps them: scraped from each node's
 * Summary API ({@code /stats/summary}) every 15 seconds, held in memory only (never in the store),
 * and served by the API server as {@code metrics.k8s.io/v1beta1} for {@code kubectl top} and the
 * HorizontalPodAutoscaler.
 */
package dev.berth.core.metrics;
