package dev.pulse.aggregate.repository;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RetentionDueTest {

    @Test
    void theCutoffIsTheAppsLocalDayAsEnrichDatesEvents() {
        // 20:00 UTC is already the next day at +05:30 (01:30), PostgreSQL's POSIX reading of "+05:30" would say 14:30
        RetentionRepository.Due due = RetentionRepository.Due.of("a", "+05:30", 3, Instant.parse("2026-06-10T20:00:00Z"));
        assertEquals(LocalDate.of(2026, 6, 8), due.cutoff());
        assertEquals(Instant.parse("2026-06-07T18:30:00Z"), due.cutoffInstant());
    }

    @Test
    void aNamedZoneStartsItsDayAtLocalMidnightAcrossDaylightSaving() {
        RetentionRepository.Due due = RetentionRepository.Due.of("a", "Europe/Berlin", 1, Instant.parse("2026-03-30T12:00:00Z"));
        assertEquals(LocalDate.of(2026, 3, 29), due.cutoff());
        assertEquals(Instant.parse("2026-03-28T23:00:00Z"), due.cutoffInstant());
    }
}
