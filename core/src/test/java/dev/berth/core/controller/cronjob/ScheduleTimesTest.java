package dev.berth.core.controller.cronjob;

import dev.berth.core.api.validation.CronSchedule;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class ScheduleTimesTest {
    private static final ZoneId UTC = ZoneOffset.UTC;

    @Test
    void countsTheStartTimesMissedSinceTheEarliestAndKeepsTheMostRecent() {
        ScheduleTimes t = ScheduleTimes.of(CronSchedule.parse("*/15 * * * *"), UTC,
                Instant.parse("2026-03-01T10:07:00Z"), Instant.parse("2026-03-01T11:05:00Z"), null);
        assertThat(t.mostRecent()).isEqualTo(Instant.parse("2026-03-01T11:00:00Z"));
        assertThat(t.missed()).isEqualTo(4);
    }

    @Test
    void theStartingDeadlineBoundsHowFarBackItLooks() {
        ScheduleTimes t = ScheduleTimes.of(CronSchedule.parse("*/15 * * * *"), UTC,
                Instant.parse("2026-03-01T10:07:00Z"), Instant.parse("2026-03-01T11:05:00Z"), 600L);
        assertThat(t.mostRecent()).isEqualTo(Instant.parse("2026-03-01T11:00:00Z"));
        assertThat(t.missed()).isEqualTo(1);

        ScheduleTimes none = ScheduleTimes.of(CronSchedule.parse("*/15 * * * *"), UTC,
                Instant.parse("2026-03-01T10:07:00Z"), Instant.parse("2026-03-01T11:05:00Z"), 240L);
        assertThat(none.mostRecent()).isNull();
    }

    @Test
    void nothingIsDueBeforeTheFirstStartTime() {
        ScheduleTimes t = ScheduleTimes.of(CronSchedule.parse("@daily"), UTC,
                Instant.parse("2026-03-01T10:07:00Z"), Instant.parse("2026-03-01T23:59:59Z"), null);
        assertThat(t.mostRecent()).isNull();
        assertThat(ScheduleTimes.next(CronSchedule.parse("@daily"), UTC, Instant.parse("2026-03-01T23:59:59Z")))
                .isEqualTo(Instant.parse("2026-03-02T00:00:00Z"));
    }

    @Test
    void startTimesFollowTheZoneAcrossADaylightSavingChange() {
        ZoneId paris = ZoneId.of("Europe/Paris");
        // 2026-03-29: clocks in Paris go from 02:00 to 03:00; 09:00 local is 07:00Z after the change
        assertThat(ScheduleTimes.next(CronSchedule.parse("0 9 * * *"), paris, Instant.parse("2026-03-28T09:00:00Z")))
                .isEqualTo(Instant.parse("2026-03-29T07:00:00Z"));
    }

    @Test
    void yearsOfMissedMinutesStillFindTheMostRecentStartTime() {
        ScheduleTimes t = ScheduleTimes.of(CronSchedule.parse("* * * * *"), UTC,
                Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2026-03-01T10:07:30Z"), null);
        assertThat(t.mostRecent()).isEqualTo(Instant.parse("2026-03-01T10:07:00Z"));
        assertThat(t.missed()).isGreaterThan(ScheduleTimes.TOO_MANY_MISSED);
    }
}
