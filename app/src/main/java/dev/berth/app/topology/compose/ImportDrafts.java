package dev.berth.app.topology.compose;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.util.List;

/** Objects read from manifests or a compose file, put as drafts in one undoable step. */
public final class ImportDrafts implements Command<List<DraftKey>> {
    private final String source;
    private final List<GenericKubernetesResource> objects;

    public ImportDrafts(String source, List<GenericKubernetesResource> objects) {
        this.source = source;
        this.objects = List.copyOf(objects);
    }

    @Override
    public String name() {
        return "Import " + source;
    }

    @Override
    public List<DraftKey> execute(DraftSet drafts) {
        for (GenericKubernetesResource o : objects) {
            drafts.put(o);
        }
        return objects.stream().map(DraftKey::of).toList();
    }
}
