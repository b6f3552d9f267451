package dev.berth.app.topology.compose;

import dev.berth.app.editor.YamlText;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

/**
 * One object as the person composes it, and the live object it would replace (null when the
 * cluster has none). Both are treated as values: never change them, put a new draft instead.
 */
public record Draft(GenericKubernetesResource object, GenericKubernetesResource live) {
    public enum State {
        /** The cluster has no such object: applying creates it. */
        NEW,
        /** The draft changes a live object. */
        MODIFIED,
        /** The draft says what the live object already says. */
        UNCHANGED
    }

    public DraftKey key() {
        return DraftKey.of(object);
    }

    public State state() {
        if (live == null) {
            return State.NEW;
        }
        return YamlText.comparable(object).equals(YamlText.comparable(live)) ? State.UNCHANGED : State.MODIFIED;
    }
}
