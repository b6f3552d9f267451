package dev.berth.app.palette;

import java.util.Objects;

/**
 * An action a person can run from the command palette.
 *
 * @param title    what the palette lists
 * @param shortcut its key combination, shown beside it ("" for none)
 * @param action   what it does; runs on the FX thread
 */
public record Command(String title, String shortcut, Runnable action) {
    public Command {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(shortcut, "shortcut");
        Objects.requireNonNull(action, "action");
    }

    /**
     * How well {@code query} matches: its characters must appear in order in the title
     * (case-insensitive); a match at word starts and in one run scores higher. -1 for no match.
     */
    public int score(String query) {
        String q = query.trim().toLowerCase(java.util.Locale.ROOT);
        if (q.isEmpty()) {
            return 0;
        }
        String t = title.toLowerCase(java.util.Locale.ROOT);
        int contiguous = t.indexOf(q);
        if (contiguous >= 0) {
            return 1000 - contiguous + (contiguous == 0 || t.charAt(contiguous - 1) == ' ' ? 500 : 0);
        }
        int score = 0;
        int at = 0;
        for (char c : q.toCharArray()) {
            if (c == ' ') {
                continue;
            }
            int i = t.indexOf(c, at);
            if (i < 0) {
                return -1;
            }
            score += (i == 0 || t.charAt(i - 1) == ' ') ? 10 : (i == at ? 5 : 1);
            at = i + 1;
        }
        return score;
    }
}
