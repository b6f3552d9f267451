package dev.berth.app.topology.compose;

import dev.berth.app.editor.Apply;
import dev.berth.app.editor.Diffs;
import dev.berth.app.editor.YamlText;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Talks to the server about drafts: a server-side dry run of each (its problems, per field), the
 * YAML diff of every draft against the live object, and the apply of them all together, in
 * {@link ApplyOrder}, as server-side apply with field manager {@value #FIELD_MANAGER}. Every
 * method blocks on the network: call it off the FX thread, then hand its answer to the drafts.
 */
public final class DraftApply {
    /** The same manager as the YAML editor, so that an object composed here and edited there has one owner. */
    public static final String FIELD_MANAGER = Apply.FIELD_MANAGER;

    /** What applying one draft would change: a unified diff (empty when nothing), or the server's problems. */
    public record Change(DraftKey key, Draft.State state, List<String> diff, List<DraftSet.Problem> problems) {}

    /** What became of one draft: applied (the stored object) or refused (the server's problems). */
    public record Result(DraftKey key, GenericKubernetesResource applied, String message, List<DraftSet.Problem> problems,
                         boolean conflict) {
        public boolean ok() {
            return applied != null;
        }
    }

    private final Apply apply;

    public DraftApply(KubernetesClient client) {
        this.apply = new Apply(client, FIELD_MANAGER);
    }

    /**
     * A dry run of each draft: its problems by key (drafts the server accepts map to an empty list).
     * A draft in a namespace that is itself a new draft cannot be checked before the namespace
     * exists; it is skipped.
     */
    public Map<DraftKey, List<DraftSet.Problem>> validate(List<Draft> drafts) {
        Set<String> newNamespaces = newNamespaces(drafts);
        Map<DraftKey, List<DraftSet.Problem>> out = new LinkedHashMap<>();
        for (Draft d : ApplyOrder.sortDrafts(drafts)) {
            if (newNamespaces.contains(d.key().namespace())) {
                out.put(d.key(), List.of());
                continue;
            }
            try {
                apply.dryRun(forServer(d.object()), "");
                out.put(d.key(), List.of());
            } catch (Apply.Rejected e) {
                out.put(d.key(), problems(e));
            }
        }
        return out;
    }

    /** Per draft, in apply order: the unified diff of the live object against what the server would store. */
    public List<Change> diff(List<Draft> drafts) {
        Set<String> newNamespaces = newNamespaces(drafts);
        List<Change> out = new ArrayList<>();
        for (Draft d : ApplyOrder.sortDrafts(drafts)) {
            String name = d.key().toString();
            try {
                GenericKubernetesResource live = apply.live(d.object());
                GenericKubernetesResource after = newNamespaces.contains(d.key().namespace()) ? d.object()
                        : apply.dryRun(forServer(d.object()), "");
                String before = live == null ? "" : YamlText.comparable(live);
                out.add(new Change(d.key(), live == null ? Draft.State.NEW : Draft.State.MODIFIED,
                        Diffs.unified("live/" + name, before, "draft/" + name, YamlText.comparable(after)), List.of()));
            } catch (Apply.Rejected e) {
                out.add(new Change(d.key(), d.state(), List.of(), problems(e)));
            }
        }
        return out;
    }

    /**
     * Applies every draft, dependencies first; a refused draft does not stop the others. With
     * {@code force}, fields another manager owns are taken over (as the editor's "Apply and take
     * over fields").
     */
    public List<Result> apply(List<Draft> drafts, boolean force) {
        List<Result> out = new ArrayList<>();
        for (Draft d : ApplyOrder.sortDrafts(drafts)) {
            try {
                GenericKubernetesResource applied = apply.apply(forServer(d.object()), "", force);
                out.add(new Result(d.key(), applied, (d.live() == null ? "created " : "configured ") + d.key().shortName(),
                        List.of(), false));
            } catch (Apply.Rejected e) {
                out.add(new Result(d.key(), null, d.key().shortName() + ": " + e.getMessage(), problems(e), e.conflict()));
            } catch (RuntimeException e) {
                out.add(new Result(d.key(), null, d.key().shortName() + ": " + e.getMessage(),
                        List.of(new DraftSet.Problem("", String.valueOf(e.getMessage()))), false));
            }
        }
        return out;
    }

    /**
     * The draft as it is sent: without status and server-managed metadata (a draft made from a live
     * object carries its managedFields and resourceVersion, which an apply must not send back).
     */
    static GenericKubernetesResource forServer(GenericKubernetesResource o) {
        try {
            return YamlText.parse(YamlText.forEditing(o));
        } catch (YamlText.YamlSyntaxException e) {
            throw new IllegalStateException("draft " + DraftKey.of(o) + " cannot be written as YAML: " + e.getMessage(), e);
        }
    }

    private static Set<String> newNamespaces(List<Draft> drafts) {
        return drafts.stream().filter(d -> d.key().kind().equals("Namespace") && d.live() == null)
                .map(d -> d.key().name()).collect(Collectors.toSet());
    }

    private static List<DraftSet.Problem> problems(Apply.Rejected e) {
        return e.problems().stream().map(p -> new DraftSet.Problem(p.field(), p.message())).toList();
    }
}
