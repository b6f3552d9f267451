package dev.berth.app.editor;

import org.fxmisc.richtext.model.StyleSpans;
import org.fxmisc.richtext.model.StyleSpansBuilder;

import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Style classes for YAML text in the editor: keys, strings, numbers, literals, comments. */
public final class YamlHighlighter {
    private static final Pattern TOKENS = Pattern.compile(
            "(?<COMMENT>(?m)(?:^|\\s)#[^\\n]*)"
                    + "|(?<KEY>(?m)^[ \\t]*(?:- )?[A-Za-z0-9_./\\-\"']+(?=:(?:\\s|$)))"
                    + "|(?<STRING>\"(?:[^\"\\\\\\n]|\\\\.)*\"|'[^'\\n]*')"
                    + "|(?<LITERAL>\\b(?:true|false|null|True|False|Null|yes|no)\\b)"
                    + "|(?<NUMBER>(?<![\\w.])-?\\d+(?:\\.\\d+)?(?![\\w.]))"
                    + "|(?<MARKER>(?m)^---$|(?m)^\\.\\.\\.$)");

    private YamlHighlighter() {}

    public static StyleSpans<Collection<String>> highlight(String text) {
        Matcher m = TOKENS.matcher(text);
        StyleSpansBuilder<Collection<String>> b = new StyleSpansBuilder<>();
        int last = 0;
        while (m.find()) {
            String style = m.group("COMMENT") != null ? "yaml-comment"
                    : m.group("KEY") != null ? "yaml-key"
                    : m.group("STRING") != null ? "yaml-string"
                    : m.group("LITERAL") != null ? "yaml-literal"
                    : m.group("NUMBER") != null ? "yaml-number"
                    : "yaml-marker";
            b.add(List.of(), m.start() - last);
            b.add(List.of(style), m.end() - m.start());
            last = m.end();
        }
        b.add(List.of(), text.length() - last);
        return b.create();
    }
}
