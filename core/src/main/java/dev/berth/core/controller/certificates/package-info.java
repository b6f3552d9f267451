/** The {@code certificates} controller: approves nodes' serving-certificate requests that name only the node. */
package dev.berth.core.controller.certificates;
