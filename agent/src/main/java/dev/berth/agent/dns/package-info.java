/**
 * The node-local cluster DNS server: answers the cluster domain from Services, EndpointSlices and
 * Pods as the Kubernetes DNS-Based Service Discovery specification says, and forwards every other
 * name to the node's upstream resolvers (dnsjava for the wire format and the upstream client).
 */
package dev.berth.agent.dns;
