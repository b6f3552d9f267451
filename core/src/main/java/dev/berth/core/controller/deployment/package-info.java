/**
 * The Deployment controller: rolls Deployments out through ReplicaSets (RollingUpdate and
 * Recreate), with revisions, history cleanup, pause, proportional scaling and the Progressing and
 * Available conditions that {@code kubectl rollout} reads. {@link dev.berth.core.controller.deployment.Rollouts}
 * holds the pure rules; {@link dev.berth.core.controller.deployment.DeploymentReconciler} applies them.
 */
package dev.berth.core.controller.deployment;
