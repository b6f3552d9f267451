package dev.berth.core.api.validation;

import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Locale;
import java.util.Map;

/**
 * A CronJob schedule in the syntax Kubernetes accepts: five fields (minute hour day-of-month month
 * day-of-week) with lists, ranges, steps and month/day names, or a macro (@yearly, @monthly,
 * @weekly, @daily, @midnight, @hourly). Immutable.
 */
public final class CronSchedule {

    private static final Map<String, String> MACROS = Map.of(
            "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *",
            "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");
    private static final String[] MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
    private static final String[] DAYS = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

    private final String expression;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    private final boolean domStar;
    private final boolean dowStar;

    private CronSchedule(String expression, BitSet minutes, BitSet hours, BitSet dom, BitSet months, BitSet dow,
                         boolean domStar, boolean dowStar) {
        this.expression = expression;
        this.minutes = minutes;
        this.hours = hours;
        this.daysOfMonth = dom;
        this.months = months;
        this.daysOfWeek = dow;
        this.domStar = domStar;
        this.dowStar = dowStar;
    }

    /**
     * Parses a schedule.
     *
     * @throws IllegalArgumentException with the parser's message, e.g. {@code expected exactly 5 fields, found 1: [foo]}
     */
    public static CronSchedule parse(String expression) {
        if (expression == null || expression.isBlank()) throw new IllegalArgumentException("empty spec string");
        String spec = expression.strip();
        if (spec.startsWith("TZ=") || spec.startsWith("CRON_TZ=")) {
            throw new IllegalArgumentException("cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
        }
        if (spec.startsWith("@")) {
            String fields = MACROS.get(spec.toLowerCase(Locale.ROOT));
            if (fields == null) throw new IllegalArgumentException("unrecognized descriptor: " + spec);
            spec = fields;
        }
        String[] f = spec.split("\\s+");
        if (f.length != 5) {
            throw new IllegalArgumentException("expected exactly 5 fields, found " + f.length + ": [" + String.join(" ", f) + "]");
        }
        return new CronSchedule(expression,
                field(f[0], 0, 59, null), field(f[1], 0, 23, null), field(f[2], 1, 31, null),
                field(f[3], 1, 12, MONTHS), field(f[4], 0, 6, DAYS),
                isStar(f[2]), isStar(f[4]));
    }

    private static boolean isStar(String f) {
        return f.startsWith("*") || f.startsWith("?");
    }

    private static BitSet field(String field, int min, int max, String[] names) {
        BitSet bits = new BitSet(max + 1);
        for (String part : field.split(",", -1)) {
            int step = 1;
            String range = part;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                range = part.substring(0, slash);
                step = number(part.substring(slash + 1), null, 0);
                if (step <= 0) throw new IllegalArgumentException("step of range should be a positive number: " + part);
            }
            int lo;
            int hi;
            if (range.equals("*") || range.equals("?")) {
                lo = min;
                hi = max;
            } else {
                int dash = range.indexOf('-');
                if (dash >= 0) {
                    lo = number(range.substring(0, dash), names, min);
                    hi = number(range.substring(dash + 1), names, min);
                } else {
                    lo = number(range, names, min);
                    hi = slash >= 0 ? max : lo;
                }
            }
            if (lo < min) throw new IllegalArgumentException("beginning of range (" + lo + ") below minimum (" + min + "): " + part);
            if (hi > max) throw new IllegalArgumentException("end of range (" + hi + ") above maximum (" + max + "): " + part);
            if (lo > hi) throw new IllegalArgumentException("beginning of range (" + lo + ") beyond end of range (" + hi + "): " + part);
            for (int i = lo; i <= hi; i += step) bits.set(i);
        }
        return bits;
    }

    private static int number(String s, String[] names, int base) {
        if (names != null) {
            for (int i = 0; i < names.length; i++) {
                if (names[i].equalsIgnoreCase(s)) return i + base;
            }
        }
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("failed to parse int from " + s + ": strconv.Atoi: parsing \"" + s
                    + "\": invalid syntax");
        }
    }

    /** The first time strictly after {@code after} that the schedule fires, or null within five years none does. */
    public ZonedDateTime next(ZonedDateTime after) {
        ZonedDateTime t = after.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        ZonedDateTime limit = after.plusYears(5);
        while (t.isBefore(limit)) {
            if (!months.get(t.getMonthValue())) {
                t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
                continue;
            }
            if (!dayMatches(t)) {
                t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
                continue;
            }
            if (!hours.get(t.getHour())) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
                continue;
            }
            if (!minutes.get(t.getMinute())) {
                t = t.plusMinutes(1);
                continue;
            }
            return t;
        }
        return null;
    }

    private boolean dayMatches(ZonedDateTime t) {
        boolean dom = daysOfMonth.get(t.getDayOfMonth());
        boolean dow = daysOfWeek.get(t.getDayOfWeek().getValue() % 7);
        if (domStar || dowStar) return dom && dow;
        return dom || dow;
    }

    public String expression() {
        return expression;
    }

    @Override
    public String toString() {
        return expression;
    }
}
