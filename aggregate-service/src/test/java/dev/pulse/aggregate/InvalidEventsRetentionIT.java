package dev.pulse.aggregate;

import dev.pulse.aggregate.service.PartitionMaintenanceJob;
import dev.pulse.contract.testing.PulseInfrastructure;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** invalid_events is kept as long as the raw store: the partition job deletes older rejections, in bounded batches. */
@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
class InvalidEventsRetentionIT {
    /** Positions no test topic has, so rows of other tests are told apart. */
    private static final int PARTITION = 7_013;

    @Inject
    PartitionMaintenanceJob job;

    @ConfigProperty(name = "pulse.aggregate.partitions.retention-days")
    int retentionDays;

    @Test
    void rejectionsOlderThanTheRetentionAreDeletedAndTheOthersKept() throws SQLException {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Instant cutoff = today.minusDays(retentionDays).atStartOfDay(ZoneOffset.UTC).toInstant();
        List<Long> kept = new ArrayList<>();
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection(); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO invalid_events (source_partition, source_offset, app_id, reason, rejected_at) VALUES (?, ?, 'retention', 'event', ?)")) {
            for (long offset = 0; offset < 53; offset++) {
                // 30 before the cutoff (the last a microsecond before it), 23 from the cutoff on
                Instant at = offset < 30 ? cutoff.minus(Duration.ofDays(30 - offset)).plus(offset == 29 ? Duration.ofDays(1).minus(1, ChronoUnit.MICROS) : Duration.ZERO)
                        : cutoff.plus(Duration.ofHours(offset - 30));
                if (!at.isBefore(cutoff)) {
                    kept.add(offset);
                }
                insert.setInt(1, PARTITION);
                insert.setLong(2, offset);
                insert.setObject(3, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
                insert.addBatch();
            }
            insert.executeBatch();
        }
        assertEquals(23, kept.size());

        job.maintain(today, 7).await().atMost(Duration.ofSeconds(60));

        assertEquals(kept, offsets("SELECT source_offset FROM invalid_events WHERE source_partition = " + PARTITION + " ORDER BY 1"));
        assertEquals(List.of(), offsets("SELECT source_offset FROM invalid_events WHERE rejected_at < '" + cutoff + "'"));
    }

    private static List<Long> offsets(String sql) throws SQLException {
        List<Long> offsets = new ArrayList<>();
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection();
             ResultSet rows = c.createStatement().executeQuery(sql)) {
            while (rows.next()) {
                offsets.add(rows.getLong(1));
            }
        }
        return offsets;
    }
}
