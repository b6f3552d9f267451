package dev.berth.app.topology.compose;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.List;

/**
 * A template dropped from the palette: its objects as new drafts, under the template's base name
 * ({@code web}, {@code db}...) or the first of {@code web-2}, {@code web-3}... free for every
 * object it makes. Answers the keys of the new drafts, workloads first.
 */
public final class AddTemplate implements Command<List<DraftKey>> {
    private final Template template;
    private final String namespace;

    public AddTemplate(Template template, String namespace) {
        this.template = template;
        this.namespace = namespace;
    }

    @Override
    public String name() {
        return "Add " + template.title();
    }

    @Override
    public List<DraftKey> execute(DraftSet drafts) {
        String name = template.baseName();
        for (int i = 2; !free(drafts, name); i++) {
            name = template.baseName() + "-" + i;
        }
        List<HasMetadata> objects = template.objects(namespace, name);
        for (HasMetadata o : objects) {
            drafts.put(Objects2.generic(o));
        }
        return objects.stream().map(DraftKey::of)
                .sorted(java.util.Comparator.comparing(k -> Workload.isWorkload(k) ? 0 : 1)).toList();
    }

    private boolean free(DraftSet drafts, String name) {
        for (DraftKey k : template.keys(namespace, name)) {
            if (drafts.names(k.kind(), k.namespace()).contains(k.name())) {
                return false;
            }
        }
        return true;
    }
}
