package dev.berth.app.editor;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.Patch;

import java.util.List;

/** A unified diff of two YAML texts, by java-diff-utils. */
public final class Diffs {
    private Diffs() {}

    /** The diff lines ({@code ---}, {@code +++}, {@code @@}, then ' ', '-' and '+' lines); empty when equal. */
    public static List<String> unified(String liveName, String live, String appliedName, String applied) {
        List<String> a = live.lines().toList();
        List<String> b = applied.lines().toList();
        Patch<String> patch = DiffUtils.diff(a, b);
        if (patch.getDeltas().isEmpty()) {
            return List.of();
        }
        return UnifiedDiffUtils.generateUnifiedDiff(liveName, appliedName, a, patch, 3);
    }
}
