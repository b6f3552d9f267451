/**
 * The EndpointSlice controller: for every Service with a selector, discovery.k8s.io/v1
 * EndpointSlices (IPv4) listing the selected pods with ready/serving/terminating conditions, at
 * most 100 endpoints per slice, one group of slices per distinct set of resolved ports, owned by
 * the Service.
 */
package dev.berth.core.controller.endpointslice;
