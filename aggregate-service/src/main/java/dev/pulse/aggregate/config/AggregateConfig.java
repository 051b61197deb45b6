package dev.pulse.aggregate.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "pulse.aggregate")
public interface AggregateConfig {

    Realtime realtime();

    Partitions partitions();

    Admin admin();

    Close close();

    Retention retention();

    Sessions sessions();

    DayStates dayState();

    interface Realtime {
        /** How far back the per-minute views reach (SPEC: "last N minutes"; N up to this). */
        @WithDefault("1h")
        Duration window();

        @WithDefault("20")
        int recentPerContent();

        /** Entries kept in each minute's top-events and top-content sets (query-api shows the top 10 of the window). */
        @WithDefault("100")
        int topPerMinute();

        /** Stored events per page of a rebuild: its memory holds one page. */
        @WithDefault("2000")
        int rebuildPageSize();

        /** How often Redis is checked for lost views (read by the scheduler). */
        @WithDefault("10s")
        Duration checkEvery();
    }

    interface Partitions {
        /** Daily raw-store partitions are created this many days ahead. */
        @WithDefault("3")
        int daysAhead();

        /** Raw-store partitions older than this are dropped; 0 keeps everything. */
        @WithDefault("400")
        int retentionDays();

        /**
         * Resends counted into quality are remembered this long (duplicate_events), so a replay of events.invalid
         * within it counts nothing twice; events.invalid keeps its records for less.
         */
        @WithDefault("30")
        int resendLedgerDays();

        /** How often partitions are maintained (read by the scheduler). */
        @WithDefault("1h")
        Duration checkEvery();
    }

    interface Close {
        /** How often ended app-days are looked for (read by the scheduler); {@code off} disables the close. */
        @WithDefault("5m")
        String checkEvery();

        /** A day is closed this long after it ends in the app's timezone, so events in flight are in. */
        @WithDefault("10m")
        Duration grace();

        /** Days that ended longer ago than this without being closed (the service was down) stay unclosed. */
        @WithDefault("7")
        int lookbackDays();
    }

    interface Retention {
        /** How often per-app retention is enforced (read by the scheduler); {@code off} disables it. */
        @WithDefault("1h")
        String checkEvery();
    }

    interface Sessions {
        /** How often apps whose session timeout changed, or new ones, get their kept sessions rebuilt; {@code off} disables it. */
        @WithDefault("1m")
        String checkEvery();
    }

    interface DayStates {
        /** How often closed app-days without a current day state are looked for (read by the scheduler); {@code off} disables it. */
        @WithDefault("30s")
        String checkEvery();

        /** The days kept, counted back from the last closed one: dashboards' ranges within them answer from the state. */
        @WithDefault("92")
        int days();

        /** How long after its midnight a day is over: query-api's pulse.query.cache.settle. */
        @WithDefault("5m")
        Duration settle();

        /** App-days built per run, the latest first. */
        @WithDefault("50")
        int perRun();

        /**
         * Distinct dimension values an app-day's state holds (each a few bitmaps in the job's memory while it builds); a
         * day with more is answered from the rollups per user.
         */
        @WithDefault("100000")
        int maxValues();

        /** How long an app-day whose build failed waits before the job tries it again (others go first meanwhile). */
        @WithDefault("10m")
        Duration retryAfter();
    }

    interface Admin {
        /** Bearer token of the recompute endpoint. */
        Optional<String> token();
    }
}
