package dev.berth.core.server;

import dev.berth.core.apiserver.PatchEngine;
import dev.berth.core.apiserver.admission.AdmissionPlugin;
import java.util.List;

/** The standard admission plugins and patch engine of a Berth API server. */
final class Admission {
    private Admission() {}

    static List<AdmissionPlugin> standard() {
        return List.of();
    }

    static PatchEngine patchEngine() {
        return new dev.berth.core.apiserver.Patches(t -> null);
    }
}
