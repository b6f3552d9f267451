/**
 * ServiceAccounts: a "default" ServiceAccount in every active namespace ({@link ServiceAccounts}),
 * and the cluster CA certificate published as the kube-root-ca.crt ConfigMap in every active
 * namespace ({@link RootCaPublisher}), as Kubernetes' serviceaccount and root-ca-cert-publisher
 * controllers do.
 */
package dev.berth.core.controller.serviceaccount;
