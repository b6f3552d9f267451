/**
 * The disruption controller: keeps each PodDisruptionBudget's status (expected pods, healthy
 * pods, disruptions allowed) in step with the pods it selects, so that the eviction API can
 * refuse evictions that would break it.
 */
package dev.berth.core.controller.disruption;
