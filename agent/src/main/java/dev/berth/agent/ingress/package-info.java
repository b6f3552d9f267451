/**
 * The built-in ingress controller ({@code berth agent --ingress}): an HTTP/HTTPS reverse proxy on
 * Netty serving the Ingresses of IngressClass {@code berth} from the agent's informers, and their
 * {@code status.loadBalancer}.
 */
package dev.berth.agent.ingress;
