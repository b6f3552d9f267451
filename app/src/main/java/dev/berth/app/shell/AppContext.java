package dev.berth.app.shell;

import dev.berth.app.cluster.EmbeddedControlPlane;
import dev.berth.app.settings.Settings;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * What the main window is built from.
 *
 * @param controlPlane     the embedded control plane, or null when the app runs without one
 * @param settings         remembered layout and choices
 * @param kubeconfigFiles  where kubeconfig contexts are read from ($KUBECONFIG or ~/.kube/config)
 * @param userKubeconfig   where "Add the berth context" writes (~/.kube/config)
 * @param initialContext   a context to connect to at start instead of the embedded control plane, or null
 */
public record AppContext(EmbeddedControlPlane controlPlane, Settings settings, Clock clock, List<Path> kubeconfigFiles,
                         Path userKubeconfig, String initialContext) {}
