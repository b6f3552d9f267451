package dev.berth.core.api.validation;

import org.junit.jupiter.api.Test;

import java.time.ZoneId;
import java.time.ZonedDateTime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CronScheduleTest {

    private static final ZonedDateTime MONDAY_NOON = ZonedDateTime.of(2026, 11, 23, 12, 0, 30, 0, ZoneId.of("UTC"));

    @Test
    void everyFiveMinutesFiresOnTheNextMultipleOfFive() {
        assertThat(CronSchedule.parse("*/5 * * * *").next(MONDAY_NOON)).isEqualTo(MONDAY_NOON.withMinute(5).withSecond(0));
    }

    @Test
    void macrosExpandToTheirSchedules() {
        assertThat(CronSchedule.parse("@daily").next(MONDAY_NOON)).isEqualTo(ZonedDateTime.of(2026, 11, 24, 0, 0, 0, 0, ZoneId.of("UTC")));
        assertThat(CronSchedule.parse("@hourly").next(MONDAY_NOON)).isEqualTo(MONDAY_NOON.withHour(13).withMinute(0).withSecond(0));
    }

    @Test
    void namedDaysAndMonthsWork() {
        assertThat(CronSchedule.parse("0 9 * * fri").next(MONDAY_NOON))
                .isEqualTo(ZonedDateTime.of(2026, 11, 27, 9, 0, 0, 0, ZoneId.of("UTC")));
        assertThat(CronSchedule.parse("0 0 1 feb *").next(MONDAY_NOON))
                .isEqualTo(ZonedDateTime.of(2027, 2, 1, 0, 0, 0, 0, ZoneId.of("UTC")));
    }

    @Test
    void restrictedDayOfMonthAndWeekMatchEither() {
        // the 1st of the month or any Sunday, as in standard cron
        assertThat(CronSchedule.parse("0 0 1 * sun").next(MONDAY_NOON))
                .isEqualTo(ZonedDateTime.of(2026, 11, 29, 0, 0, 0, 0, ZoneId.of("UTC")));
    }

    @Test
    void impossibleDatesNeverFire() {
        assertThat(CronSchedule.parse("0 0 30 2 *").next(MONDAY_NOON)).isNull();
    }

    @Test
    void rejectsMalformedSchedules() {
        assertThatThrownBy(() -> CronSchedule.parse("@fortnightly")).hasMessage("unrecognized descriptor: @fortnightly");
        assertThatThrownBy(() -> CronSchedule.parse("0 24 * * *")).hasMessage("end of range (24) above maximum (23): 24");
        assertThatThrownBy(() -> CronSchedule.parse("0 0 0 * *")).hasMessage("beginning of range (0) below minimum (1): 0");
        assertThatThrownBy(() -> CronSchedule.parse("*/0 * * * *")).hasMessage("step of range should be a positive number: */0");
        assertThatThrownBy(() -> CronSchedule.parse("x * * * *")).hasMessageStartingWith("failed to parse int from x");
    }
}
