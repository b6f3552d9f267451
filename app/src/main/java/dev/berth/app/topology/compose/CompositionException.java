package dev.berth.app.topology.compose;

import dev.berth.core.api.FieldError;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A composition or an edit that would make an invalid object, or that makes no sense (a Service
 * edge to a ConfigMap). Names the object, and for each broken rule the field, the value and the
 * rule, as the API server words them. The draft set is left as it was.
 */
public final class CompositionException extends RuntimeException {
    private final DraftKey key;
    private final List<FieldError> errors;

    public CompositionException(DraftKey key, List<FieldError> errors) {
        super(message(key, errors));
        this.key = key;
        this.errors = List.copyOf(errors);
    }

    public CompositionException(DraftKey key, FieldError error) {
        this(key, List.of(error));
    }

    /** The object the problem is about (null when none). */
    public DraftKey key() {
        return key;
    }

    public List<FieldError> errors() {
        return errors;
    }

    private static String message(DraftKey key, List<FieldError> errors) {
        String what = errors.stream().map(FieldError::toString).collect(Collectors.joining("; "));
        return key == null ? what : key.kind() + " \"" + key.name() + "\": " + what;
    }
}
