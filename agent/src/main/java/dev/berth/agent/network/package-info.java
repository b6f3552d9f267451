/** The node's pod network: forwarding and masquerading rules, routes to the other nodes' pod ranges. */
package dev.berth.agent.network;
