package dev.pulse.query;

import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.StandbyPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The test servers plus two hot standbys of PostgreSQL; query-api reads from the standbys only, both behind one
 * setting as behind CloudNativePG's {@code -ro} service (connections go round-robin to them).
 */
public class PulseWithStandbys extends PulseInfrastructure.WithoutKafka {
    private static volatile List<StandbyPostgres> standbys = List.of();

    static List<StandbyPostgres> standbys() {
        return standbys;
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        standbys = List.of(startStandby("standby_a"), startStandby("standby_b"));
        config.put("quarkus.datasource.reactive.url", String.join(",", standbys.stream()
                .map(s -> "postgresql://localhost:" + s.port() + "/postgres").toList()));
        return config;
    }

    @Override
    public void stop() {
        try {
            for (StandbyPostgres standby : standbys) {
                standby.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            standbys = List.of();
            super.stop();
        }
    }
}
