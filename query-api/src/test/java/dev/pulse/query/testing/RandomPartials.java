package dev.pulse.query.testing;

import dev.pulse.query.domain.Partial;

import java.math.BigDecimal;
import java.util.Random;

/** A user's partials of a group, made up: each of its SQL type (bigint, numeric, float8), small values. */
public final class RandomPartials {
    private RandomPartials() {
    }

    /** Indexed by {@link Partial#ordinal()}; the new-user flag is {@code isNew} (null: not read). */
    public static Object[] of(Random random, Boolean isNew) {
        Object[] p = new Object[Partial.values().length];
        for (Partial partial : Partial.values()) {
            p[partial.ordinal()] = switch (partial) {
                case REVENUE -> BigDecimal.valueOf(random.nextInt(3) * 250, 2);
                case SESSION_SECONDS -> BigDecimal.valueOf(random.nextInt(400));
                case ENGAGEMENT_SECONDS, PCT_SUM -> (double) random.nextInt(8);
                case NEW -> isNew;
                default -> (long) random.nextInt(3);
            };
        }
        return p;
    }
}
