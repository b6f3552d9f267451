package dev.berth.app.topology.compose;

import dev.berth.core.api.FieldError;
import dev.berth.core.api.defaulting.Defaulter;
import dev.berth.core.api.validation.Validator;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.List;

/**
 * Checks an edited object with the API server's own validation rules (core's Validator, after
 * defaulting, on a copy), keeping the errors about the fields the edit touched, so an edit is
 * refused at once with the server's words: {@code spec.replicas: Invalid value: "-1": must be
 * greater than or equal to 0}. The dry run on the server remains the final word.
 */
final class Checks {
    private static final Validator VALIDATOR = new Validator();
    private static final Defaulter DEFAULTER = new Defaulter();

    private Checks() {}

    /** Throws when the object breaks a rule at or below one of {@code fields}. */
    static void fields(HasMetadata object, String... fields) {
        HasMetadata copy = Objects2.SERIALIZATION.clone(object);
        DEFAULTER.apply(copy);
        List<FieldError> errors = VALIDATOR.validateCreate(copy).stream()
                .filter(e -> under(e.field(), fields)).toList();
        if (!errors.isEmpty()) {
            throw new CompositionException(DraftKey.of(object), errors);
        }
    }

    private static boolean under(String field, String[] prefixes) {
        for (String p : prefixes) {
            if (field.equals(p) || field.startsWith(p + ".") || field.startsWith(p + "[")) {
                return true;
            }
        }
        return false;
    }
}
