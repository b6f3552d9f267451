package dev.berth.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The manifest corpus, in {@code shared/corpus} beside the repository (as CI lays it out). */
public final class Corpus {
    private Corpus() {}

    public static Path examples() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        if (dir == null || dir.getParent() == null) {
            throw new AssertionError("cannot find the repository root above " + Path.of("").toAbsolutePath());
        }
        Path corpus = dir.getParent().resolve("shared/corpus/kubernetes-website-examples");
        // a git worktree may sit deeper than the main checkout: look beside the ancestors too
        for (Path up = dir.getParent(); !Files.isDirectory(corpus) && up.getParent() != null; up = up.getParent()) {
            corpus = up.getParent().resolve("shared/corpus/kubernetes-website-examples");
        }
        if (!Files.isDirectory(corpus)) {
            throw new AssertionError("the manifest corpus is missing at "
                    + dir.getParent().resolve("shared/corpus/kubernetes-website-examples")
                    + " (it lives in shared/corpus beside the repository)");
        }
        return corpus;
    }
}
