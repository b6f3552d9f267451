/**
 * ResourceQuota and LimitRange arithmetic shared by the API server's admission and the
 * ResourceQuota controller: quantities with Kubernetes' canonical formatting, resource lists,
 * and what each kind of object adds to a quota.
 */
package dev.berth.core.api.quota;
