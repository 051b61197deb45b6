package dev.pulse.bench.generator;

/**
 * What traffic to make.
 *
 * @param eventsPerSecond target rate (0 = as fast as the server takes it)
 * @param totalEvents     stop after this many events (0 = until stopped)
 * @param duplicateRate   share of batches sent twice, as a client retry would (same event ids)
 * @param invalidRate     share of events broken on purpose (they must come back as rejected)
 * @param lateRate        share of events timestamped one to three days back
 * @param skewRate        share of batches whose client clock runs off by up to an hour (corrected by sent_at)
 */
public record GeneratorConfig(long seed, int users, double eventsPerSecond, long totalEvents, int batchSize,
        double duplicateRate, double invalidRate, double lateRate, double skewRate) {

    public static GeneratorConfig demo() {
        return new GeneratorConfig(42, 500, 50, 0, 50, 0.02, 0.01, 0.02, 0.1);
    }
}
