package dev.berth.core.controller.job;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class JobBackoffTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    @Test
    void backoffDoublesFromTenSecondsAndIsCappedAtSixMinutes() {
        assertThat(new JobReconciler.BackoffRecord(0, T0).delay()).isZero();
        assertThat(new JobReconciler.BackoffRecord(1, T0).delay()).isEqualTo(Duration.ofSeconds(10));
        assertThat(new JobReconciler.BackoffRecord(2, T0).delay()).isEqualTo(Duration.ofSeconds(20));
        assertThat(new JobReconciler.BackoffRecord(6, T0).delay()).isEqualTo(Duration.ofSeconds(320));
        assertThat(new JobReconciler.BackoffRecord(7, T0).delay()).isEqualTo(Duration.ofMinutes(6));
        assertThat(new JobReconciler.BackoffRecord(40, T0).delay()).isEqualTo(Duration.ofMinutes(6));
    }

    @Test
    void completedIndexesAreWrittenAsRangesLikeKubernetes() {
        IndexSet s = IndexSet.parse("", 10);
        for (int i : new int[] {7, 0, 1, 2, 4, 5}) {
            s.add(i);
        }
        assertThat(s.format()).isEqualTo("0-2,4,5,7");
        assertThat(IndexSet.parse("0-2,4,5,7", 10).size()).isEqualTo(6);
        assertThat(IndexSet.parse("1,3-9", 5).format()).as("indexes beyond completions are dropped").isEqualTo("1,3,4");
        assertThat(IndexSet.parse(null, 3).format()).isNull();
    }
}
