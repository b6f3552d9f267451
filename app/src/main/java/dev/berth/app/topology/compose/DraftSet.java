package dev.berth.app.topology.compose;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The drafts of one composition: objects to create or change, each with the live object it
 * would replace. Every change goes through a {@link Command} on a {@link CommandStack}, which
 * records what it touched so it can be undone. Reads hand out copies; the drafts themselves are
 * never changed in place. Not thread-safe: use it from one thread (the FX thread in the app).
 */
public final class DraftSet {
    /** A problem the server (dry run) or a check found on a draft, at a field path ("" for the object). */
    public record Problem(String field, String message) {
        @Override
        public String toString() {
            return field.isEmpty() ? message : field + ": " + message;
        }
    }

    private final LiveObjects live;
    private final LinkedHashMap<DraftKey, Draft> drafts = new LinkedHashMap<>();
    private final Map<DraftKey, List<Problem>> problems = new HashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    /** While a command runs: each touched key and its draft before the command (null: there was none). */
    private Map<DraftKey, Draft> recording;

    public DraftSet(LiveObjects live) {
        this.live = live;
    }

    public LiveObjects live() {
        return live;
    }

    /** The drafts in the order they were made. */
    public List<Draft> drafts() {
        return List.copyOf(drafts.values());
    }

    public Draft draft(DraftKey key) {
        return drafts.get(key);
    }

    public boolean isEmpty() {
        return drafts.isEmpty();
    }

    public int size() {
        return drafts.size();
    }

    /** A copy of the object as composed: the draft if there is one, else the live object, else null. */
    public GenericKubernetesResource object(DraftKey key) {
        Draft d = drafts.get(key);
        GenericKubernetesResource o = d != null ? d.object() : live.get(key);
        return o == null ? null : Objects2.copy(o);
    }

    /** The object, or a clear error naming what is missing. */
    public GenericKubernetesResource require(DraftKey key) {
        GenericKubernetesResource o = object(key);
        if (o == null) {
            throw new CompositionException(key, dev.berth.core.api.FieldError.notFound("metadata.name", key.name()));
        }
        return o;
    }

    /** Drafts and live objects of a kind in a namespace, drafts in place of the live objects they change. */
    public List<GenericKubernetesResource> objects(String kind, String namespace) {
        String ns = namespace == null ? "" : namespace;
        Map<DraftKey, GenericKubernetesResource> out = new LinkedHashMap<>();
        for (GenericKubernetesResource o : live.list(kind, ns)) {
            out.put(DraftKey.of(o), o);
        }
        for (Draft d : drafts.values()) {
            DraftKey k = d.key();
            if (k.kind().equals(kind) && k.namespace().equals(ns)) {
                out.put(k, d.object());
            }
        }
        return List.copyOf(out.values());
    }

    /** Names taken by objects of a kind in a namespace, drafts and live. */
    public Set<String> names(String kind, String namespace) {
        Set<String> out = new LinkedHashSet<>();
        for (GenericKubernetesResource o : objects(kind, namespace)) {
            out.add(o.getMetadata().getName());
        }
        return out;
    }

    public List<Problem> problems(DraftKey key) {
        return problems.getOrDefault(key, List.of());
    }

    /** Every draft with problems. */
    public Map<DraftKey, List<Problem>> problems() {
        return Map.copyOf(problems);
    }

    /** Sets what the last check found on a draft (not an edit: not recorded for undo). */
    public void setProblems(DraftKey key, List<Problem> list) {
        if (list.isEmpty()) {
            problems.remove(key);
        } else {
            problems.put(key, List.copyOf(list));
        }
        fire();
    }

    /** Hears every change: commands, undo, redo, problems. Called on the thread that made the change. */
    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    public void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    // ---- changes: only through commands (package-private) ----

    /** Puts a draft for the object; the live object it replaces is looked up the first time. */
    void put(GenericKubernetesResource object) {
        DraftKey key = DraftKey.of(object);
        touch(key);
        Draft old = drafts.get(key);
        GenericKubernetesResource liveObject = old != null ? old.live() : live.get(key);
        drafts.put(key, new Draft(Objects2.copy(object), liveObject));
    }

    void remove(DraftKey key) {
        touch(key);
        drafts.remove(key);
        problems.remove(key);
    }

    /** Drops an applied draft: it is live now. Not recorded. */
    void forget(DraftKey key) {
        drafts.remove(key);
        problems.remove(key);
    }

    private void touch(DraftKey key) {
        if (recording != null && !recording.containsKey(key)) {
            recording.put(key, drafts.get(key));
        }
    }

    void beginRecording() {
        if (recording != null) {
            throw new IllegalStateException("a command is already running");
        }
        recording = new LinkedHashMap<>();
    }

    /** Ends the recording: each touched key with its draft before and after (null when absent). */
    Map<DraftKey, Draft[]> endRecording() {
        Map<DraftKey, Draft[]> out = new LinkedHashMap<>();
        for (Map.Entry<DraftKey, Draft> e : recording.entrySet()) {
            Draft after = drafts.get(e.getKey());
            if (!java.util.Objects.equals(e.getValue(), after)) {
                out.put(e.getKey(), new Draft[] {e.getValue(), after});
            }
        }
        recording = null;
        return out;
    }

    /** Puts back what the running command changed. */
    void rollback() {
        Map<DraftKey, Draft> before = recording;
        recording = null;
        restore(before);
    }

    /** Sets each key to the given draft (null removes it). */
    void restore(Map<DraftKey, Draft> states) {
        for (Map.Entry<DraftKey, Draft> e : states.entrySet()) {
            if (e.getValue() == null) {
                drafts.remove(e.getKey());
                problems.remove(e.getKey());
            } else {
                drafts.put(e.getKey(), e.getValue());
            }
        }
    }

    void fire() {
        for (Runnable l : new ArrayList<>(listeners)) {
            l.run();
        }
    }
}
