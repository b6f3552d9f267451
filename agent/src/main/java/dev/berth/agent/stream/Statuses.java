package dev.berth.agent.stream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.Json;

import java.util.List;

/** metav1.Status bodies as kubelet writes them. */
public final class Statuses {
    private Statuses() {
    }

    /** An error answer: {@code {"kind":"Status",...,"code":N}}. */
    public static ObjectNode failure(int code, String reason, String message) {
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("kind", "Status");
        s.put("apiVersion", "v1");
        s.putObject("metadata");
        s.put("status", "Failure");
        s.put("message", message);
        s.put("reason", reason);
        s.put("code", code);
        return s;
    }

    /**
     * What the error stream of an exec or attach (protocol v4 and later) carries when the command
     * ends: success, or {@code NonZeroExitCode} with the code as the {@code ExitCode} cause.
     */
    public static byte[] exit(List<String> command, int exitCode) {
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.putObject("metadata");
        if (exitCode <= 0) {
            s.put("status", "Success");
            return Json.bytes(s);
        }
        s.put("status", "Failure");
        s.put("message", "command terminated with non-zero exit code: command '" + String.join(" ", command)
                + "' exited with " + exitCode);
        s.put("reason", "NonZeroExitCode");
        s.putObject("details").putArray("causes").addObject().put("reason", "ExitCode").put("message", Integer.toString(exitCode));
        return Json.bytes(s);
    }

    /** An error of the stream itself (the container is gone, the runtime failed). */
    public static byte[] internal(String message) {
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.putObject("metadata");
        s.put("status", "Failure");
        s.put("message", message);
        s.put("reason", "InternalError");
        s.put("code", 500);
        return Json.bytes(s);
    }
}
