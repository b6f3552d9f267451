package dev.berth.app.explorer;

import dev.berth.app.nodes.NodeWizard;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

/** What views ask of the main window: open an editor or logs, tell the person something. */
public interface Workbench {
    void openEditor(String title, String yaml);

    /** Opens the logs of a pod, or the merged logs of a workload's pods. */
    void openLogs(GenericKubernetesResource object);

    /** A message in the status bar; {@code error} styles it as a problem. */
    void notify(String message, boolean error);

    /** Asks for the ports and starts a port-forward to a Pod or a Service. */
    default void openPortForward(GenericKubernetesResource target) {
        notify("Port-forwards are not available here", true);
    }

    /** Opens a terminal tab into {@code container} of the pod ({@code container} null: its only container). */
    default void openTerminal(GenericKubernetesResource pod, String container) {
        notify("Terminals are not available here", true);
    }

    /** Opens the node wizard: add a machine ({@code node} null), or upgrade or remove {@code node}. */
    default void openNodeWizard(NodeWizard.Mode mode, GenericKubernetesResource node) {
        notify("The node wizard is not available here", true);
    }
}
