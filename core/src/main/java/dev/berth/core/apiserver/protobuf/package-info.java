/**
 * Reading {@code application/vnd.kubernetes.protobuf} request bodies ({@code k8s\0} + runtime.Unknown)
 * into Kubernetes JSON, generically through the descriptors of client-java-proto.
 */
package dev.berth.core.apiserver.protobuf;
