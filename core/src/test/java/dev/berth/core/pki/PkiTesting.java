package dev.berth.core.pki;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

final class PkiTesting {
    private PkiTesting() {}

    static String mode(Path file) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The kubectl on PATH. Without one the calling test is skipped with the reason, except under
     * {@code CI=true}, where a missing kubectl fails it.
     */
    static Path kubectl() {
        String path = System.getenv("PATH");
        Path found = path == null ? null : Stream.of(path.split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry, "kubectl"))
                .filter(Files::isExecutable)
                .findFirst().orElse(null);
        if (found == null) {
            String reason = "kubectl is not on PATH, so the real kubectl did not check this";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new AssertionError(reason + " (required when CI=true)");
            Assumptions.abort(reason);
        }
        return found;
    }
}
