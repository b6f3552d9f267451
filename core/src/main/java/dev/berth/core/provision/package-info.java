/**
 * Installs, upgrades and removes the Berth node agent on a lab machine over SSH: the connection
 * ({@link dev.berth.core.provision.SshConnector}: ssh_config, keys, host keys verified against
 * known_hosts), the preflight checks ({@link dev.berth.core.provision.Preflight}), the agent bundle
 * ({@link dev.berth.core.provision.Bundle}) and the install itself
 * ({@link dev.berth.core.provision.NodeInstaller}). Every step reports through a
 * {@link dev.berth.core.provision.ProgressListener}.
 *
 * <p>This package is an API client of the control plane: it uses the Kubernetes API through the
 * fabric8 client and never reaches into the store or the API server.
 */
package dev.berth.core.provision;
