/**
 * The node's own object: registration, status (capacity, addresses, nodeInfo, images,
 * conditions judged against kubelet's eviction thresholds) and the Lease heartbeat.
 */
package dev.berth.agent.node;
