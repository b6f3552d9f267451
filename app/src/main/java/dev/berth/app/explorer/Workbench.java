package dev.berth.app.explorer;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

/** What views ask of the main window: open an editor or logs, tell the person something. */
public interface Workbench {
    void openEditor(String title, String yaml);

    void openLogs(GenericKubernetesResource pod);

    /** A message in the status bar; {@code error} styles it as a problem. */
    void notify(String message, boolean error);
}
