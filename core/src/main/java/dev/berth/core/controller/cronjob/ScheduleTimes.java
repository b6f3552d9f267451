package dev.berth.core.controller.cronjob;

import dev.berth.core.api.validation.CronSchedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * The start times a CronJob missed: the most recent one at or before now, and how many there
 * were since the last schedule (or the CronJob's creation), bounded by startingDeadlineSeconds.
 */
record ScheduleTimes(Instant mostRecent, long missed) {
    /** Past this many missed start times Kubernetes warns with TooManyMissedTimes. */
    static final int TOO_MANY_MISSED = 100;
    /** Start times counted one by one before the search jumps to the recent past (the count then stops there). */
    private static final int MAX_COUNTED = 20_000;

    static ScheduleTimes of(CronSchedule schedule, ZoneId zone, Instant earliest, Instant now, Long startingDeadlineSeconds) {
        if (startingDeadlineSeconds != null) {
            Instant deadline = now.minusSeconds(startingDeadlineSeconds);
            if (earliest.isBefore(deadline)) {
                earliest = deadline;
            }
        }
        ZonedDateTime t = schedule.next(earliest.atZone(zone));
        Instant last = null;
        long count = 0;
        while (t != null && !t.toInstant().isAfter(now)) {
            last = t.toInstant();
            count++;
            if (count >= MAX_COUNTED) {
                last = latestWithin(schedule, zone, earliest, now);
                break;
            }
            t = schedule.next(t);
        }
        return new ScheduleTimes(last, count);
    }

    /** The latest start time at or before now, looking back over ever wider windows. */
    private static Instant latestWithin(CronSchedule schedule, ZoneId zone, Instant earliest, Instant now) {
        for (Duration window : new Duration[] {Duration.ofHours(1), Duration.ofDays(1), Duration.ofDays(32),
                Duration.ofDays(366), Duration.ofDays(5 * 366)}) {
            Instant from = now.minus(window).isBefore(earliest) ? earliest : now.minus(window);
            Instant last = null;
            for (ZonedDateTime t = schedule.next(from.atZone(zone)); t != null && !t.toInstant().isAfter(now); t = schedule.next(t)) {
                last = t.toInstant();
            }
            if (last != null) {
                return last;
            }
        }
        return null;
    }

    /** The first start time strictly after {@code now}, or null if none comes within five years. */
    static Instant next(CronSchedule schedule, ZoneId zone, Instant now) {
        ZonedDateTime t = schedule.next(now.atZone(zone));
        return t == null ? null : t.toInstant();
    }
}
