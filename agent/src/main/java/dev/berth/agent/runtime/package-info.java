/**
 * The container runtime SPI the agent drives: pod sandboxes (an infra container holding the
 * pod's network and IPC namespaces), the containers that join them, images, exec, attach and
 * logs. {@code docker} implements it over the Docker Engine API; tests use a fake.
 *
 * <p>Every container the agent makes carries the labels of {@link RuntimeLabels}, so that an
 * agent restart finds and adopts what is running, and its name starts with the runtime's name
 * prefix, so that tests and leftovers are told apart.
 */
package dev.berth.agent.runtime;
