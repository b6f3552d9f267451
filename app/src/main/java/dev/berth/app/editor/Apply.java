package dev.berth.app.editor;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.util.ArrayList;
import java.util.List;

/** Server-side apply of what the editor holds, for real or as a dry run; errors as field problems. */
public final class Apply {
    public static final String FIELD_MANAGER = "berth-app";

    /** A problem the server found: the field path (may be empty), its message, and the line in the text (0 unknown). */
    public record Problem(String field, String message, int line) {
        @Override
        public String toString() {
            return (line > 0 ? "line " + line + ": " : "") + (field.isEmpty() ? "" : field + ": ") + message;
        }
    }

    /** The server refused the object. */
    public static final class Rejected extends Exception {
        private final List<Problem> problems;
        private final int code;

        Rejected(String message, int code, List<Problem> problems) {
            super(message);
            this.code = code;
            this.problems = List.copyOf(problems);
        }

        public List<Problem> problems() {
            return problems;
        }

        /** HTTP status: 422 invalid, 409 conflict with another field manager, 404 unknown kind... */
        public int code() {
            return code;
        }

        public boolean conflict() {
            return code == 409;
        }
    }

    private final KubernetesClient client;
    private final String fieldManager;

    public Apply(KubernetesClient client) {
        this(client, FIELD_MANAGER);
    }

    /** Applies as {@code fieldManager} (the topology's composer applies as {@code berth}). */
    public Apply(KubernetesClient client, String fieldManager) {
        this.client = client;
        this.fieldManager = fieldManager;
    }

    /** The object as the server would store it, without storing it. */
    public GenericKubernetesResource dryRun(GenericKubernetesResource obj, String yaml) throws Rejected {
        try {
            return client.resource(obj).dryRun().fieldManager(fieldManager).forceConflicts().serverSideApply();
        } catch (KubernetesClientException e) {
            throw rejected(e, yaml);
        }
    }

    public GenericKubernetesResource apply(GenericKubernetesResource obj, String yaml, boolean force) throws Rejected {
        try {
            var op = client.resource(obj).fieldManager(fieldManager);
            return (force ? op.forceConflicts() : op).serverSideApply();
        } catch (KubernetesClientException e) {
            throw rejected(e, yaml);
        }
    }

    /** The live object, or null when it does not exist yet. */
    public GenericKubernetesResource live(GenericKubernetesResource obj) throws Rejected {
        try {
            return client.resource(obj).get();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return null;
            }
            throw rejected(e, "");
        }
    }

    static Rejected rejected(KubernetesClientException e, String yaml) {
        Status s = e.getStatus();
        List<Problem> problems = new ArrayList<>();
        String message = s != null && s.getMessage() != null ? s.getMessage() : e.getMessage();
        if (s != null && s.getDetails() != null && s.getDetails().getCauses() != null) {
            for (StatusCause c : s.getDetails().getCauses()) {
                String field = c.getField() == null ? "" : c.getField();
                String m = c.getMessage() == null ? String.valueOf(c.getReason()) : c.getMessage();
                problems.add(new Problem(field, m, field.isEmpty() ? 0 : YamlPaths.lineOf(yaml, field)));
            }
        }
        if (problems.isEmpty()) {
            problems.add(new Problem("", message, 0));
        }
        return new Rejected(message, e.getCode(), problems);
    }
}
