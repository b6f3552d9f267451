package dev.berth.core.apiserver.admission;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The ordered admission plugins. */
public final class AdmissionChain {
    private final List<AdmissionPlugin> plugins = new CopyOnWriteArrayList<>();

    public AdmissionChain add(AdmissionPlugin p) {
        plugins.add(p);
        return this;
    }

    public void admit(AdmissionRequest r) {
        for (AdmissionPlugin p : plugins) {
            p.mutate(r);
        }
        for (AdmissionPlugin p : plugins) {
            p.validate(r);
        }
    }
}
