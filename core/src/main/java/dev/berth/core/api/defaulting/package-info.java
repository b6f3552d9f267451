/**
 * Defaults the API server fills in before it validates and stores an object, per kind, as
 * Kubernetes' {@code SetDefaults_*} functions and registries do.
 */
package dev.berth.core.api.defaulting;
