/** The node agent: runs pods as containers, probes them, programs service rules. */
package dev.berth.agent;
