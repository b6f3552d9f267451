package dev.berth.core.store.sqlite;

/**
 * The SQL range of keys under a prefix. SQLite compares TEXT bytewise (UTF-8), so when the prefix
 * ends in an ASCII character, "prefix with its last character incremented" is an exact exclusive
 * upper bound that lets the key index serve the range. Other prefixes fall back to a substr test.
 */
record KeyRange(String from, String toExclusive, int codePoints) {
    static KeyRange of(String prefix) {
        if (prefix.isEmpty()) return new KeyRange("", null, 0);
        char last = prefix.charAt(prefix.length() - 1);
        String upper = last < 0x7F ? prefix.substring(0, prefix.length() - 1) + (char) (last + 1) : null;
        return new KeyRange(prefix, upper, prefix.codePointCount(0, prefix.length()));
    }

    /** A WHERE clause over {@code column}; bind with {@link #bind}. */
    String where(String column) {
        if (toExclusive != null) return column + " >= ? AND " + column + " < ?";
        return column + " >= ? AND substr(" + column + ", 1, ?) = ?";
    }

    /** Binds the parameters of {@link #where} starting at {@code index}; returns the next index. */
    int bind(java.sql.PreparedStatement statement, int index) throws java.sql.SQLException {
        statement.setString(index++, from);
        if (toExclusive != null) {
            statement.setString(index++, toExclusive);
        } else {
            statement.setInt(index++, codePoints);
            statement.setString(index++, from);
        }
        return index;
    }
}
