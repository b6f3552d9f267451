/**
 * The endpoints controller: for every Service with a selector, an Endpoints object of the same
 * name listing the selected pods' addresses (ready ones in {@code addresses}, the others in
 * {@code notReadyAddresses}) grouped by the ports they resolve to. Services without a selector
 * are left to their owners. {@link PodEndpoints} holds the rules shared with the EndpointSlice
 * controller.
 */
package dev.berth.core.controller.endpoints;
