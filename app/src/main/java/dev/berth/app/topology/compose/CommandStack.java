package dev.berth.app.topology.compose;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Runs commands on a draft set and keeps them for undo and redo. A command that throws leaves the
 * drafts as they were and is not kept. Between {@link #beginGesture} and {@link #endGesture} every
 * command joins one entry, so a drag that makes a Deployment and a Service is undone at once.
 */
public final class CommandStack {
    /** One undoable step: each key it touched, with the draft before and after (null: none). */
    private record Entry(String name, Map<DraftKey, Draft[]> changes) {
        Entry merge(Map<DraftKey, Draft[]> more) {
            Map<DraftKey, Draft[]> out = new LinkedHashMap<>(changes);
            for (Map.Entry<DraftKey, Draft[]> e : more.entrySet()) {
                Draft[] had = out.get(e.getKey());
                out.put(e.getKey(), had == null ? e.getValue() : new Draft[] {had[0], e.getValue()[1]});
            }
            out.entrySet().removeIf(e -> java.util.Objects.equals(e.getValue()[0], e.getValue()[1]));
            return new Entry(name, out);
        }

        Map<DraftKey, Draft> side(int i) {
            Map<DraftKey, Draft> out = new LinkedHashMap<>();
            changes.forEach((k, v) -> out.put(k, v[i]));
            return out;
        }
    }

    private final DraftSet drafts;
    private final Deque<Entry> undo = new ArrayDeque<>();
    private final Deque<Entry> redo = new ArrayDeque<>();
    private Entry gesture;

    public CommandStack(DraftSet drafts) {
        this.drafts = drafts;
    }

    public DraftSet drafts() {
        return drafts;
    }

    /** Runs the command; on a {@link CompositionException} (or any failure) nothing changes. */
    public <T> T execute(Command<T> command) {
        drafts.beginRecording();
        T result;
        try {
            result = command.execute(drafts);
        } catch (RuntimeException e) {
            drafts.rollback();
            throw e;
        }
        Map<DraftKey, Draft[]> changes = drafts.endRecording();
        if (gesture != null) {
            gesture = gesture.merge(changes);
        } else if (!changes.isEmpty()) {
            undo.push(new Entry(command.name(), changes));
            redo.clear();
        }
        drafts.fire();
        return result;
    }

    /** Starts one gesture: the commands until {@link #endGesture} are undone as one. */
    public void beginGesture(String name) {
        if (gesture != null) {
            throw new IllegalStateException("gesture \"" + gesture.name() + "\" is still open");
        }
        gesture = new Entry(name, Map.of());
    }

    public void endGesture() {
        Entry g = gesture;
        gesture = null;
        if (g != null && !g.changes().isEmpty()) {
            undo.push(g);
            redo.clear();
        }
    }

    /** Ends the open gesture and takes back what its commands did. */
    public void cancelGesture() {
        Entry g = gesture;
        gesture = null;
        if (g != null) {
            drafts.restore(g.side(0));
            drafts.fire();
        }
    }

    public boolean canUndo() {
        return !undo.isEmpty();
    }

    public boolean canRedo() {
        return !redo.isEmpty();
    }

    public Optional<String> undoName() {
        return Optional.ofNullable(undo.peek()).map(Entry::name);
    }

    public Optional<String> redoName() {
        return Optional.ofNullable(redo.peek()).map(Entry::name);
    }

    /** Takes back the last edit; false when there is none. */
    public boolean undo() {
        endGesture();
        Entry e = undo.poll();
        if (e == null) {
            return false;
        }
        drafts.restore(e.side(0));
        redo.push(e);
        drafts.fire();
        return true;
    }

    /** Does again the last edit undone; false when there is none. */
    public boolean redo() {
        endGesture();
        Entry e = redo.poll();
        if (e == null) {
            return false;
        }
        drafts.restore(e.side(1));
        undo.push(e);
        drafts.fire();
        return true;
    }

    /**
     * Takes in what an apply did: applied drafts are live now and leave the set; refused ones stay,
     * with the server's problems on them. The history is forgotten: its steps were about drafts
     * that are now live objects.
     */
    public void applied(java.util.List<DraftApply.Result> results) {
        for (DraftApply.Result r : results) {
            if (r.ok()) {
                drafts.forget(r.key());
            } else {
                drafts.setProblems(r.key(), r.problems());
            }
        }
        clear();
        drafts.fire();
    }

    /** Sets the problems a dry run found (drafts it accepted lose theirs). */
    public void validated(java.util.Map<DraftKey, java.util.List<DraftSet.Problem>> problems) {
        problems.forEach((k, list) -> {
            if (drafts.draft(k) != null) {
                drafts.setProblems(k, list);
            }
        });
    }

    /** Forgets the history (after an apply made the drafts live). */
    public void clear() {
        gesture = null;
        undo.clear();
        redo.clear();
    }
}
