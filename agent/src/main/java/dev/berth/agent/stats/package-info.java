/**
 * Resource usage from cgroup v1/v2 and /proc, served as kubelet's Summary API and resource
 * metrics endpoint.
 */
package dev.berth.agent.stats;
