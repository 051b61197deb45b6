package dev.pulse.aggregate.domain;

import dev.pulse.aggregate.domain.DayState.Sums;
import dev.pulse.aggregate.domain.RollupDelta.Counters;
import dev.pulse.aggregate.domain.RollupDelta.EventSide;
import dev.pulse.contract.UserTraits;
import dev.pulse.schema.DayStateDimension;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A batch's share of the state of days not over yet (V34 day_value_deltas): its rollup rows of each day folded as a
 * {@link DayState}. The rollups' rows never move between values (their keys hold the traits and the event side), so
 * the day's state is the OR and sum of its batches' shares; their sessions are left at 0 (a batch rewrites them).
 */
public final class BatchShares {
    private static final DayStateDimension[] USER_SIDE = DayStateDimension.kept(true);
    private static final DayStateDimension[] EVENT_SIDE = DayStateDimension.kept(false);

    /** A user of an app, as ordinals are kept. */
    public record AppUser(String appId, String userId) {
    }

    private BatchShares() {
    }

    /**
     * The shares of {@code days} in the batch's rollup rows ({@code bySide}, fact_user_event_daily's; fact_user_daily's
     * are their sums per traits); every user of those days' rows has an ordinal in {@code ordinals}.
     */
    public static Map<AppDay, DayState> of(RollupDelta bySide, Set<AppDay> days, Map<AppUser, Integer> ordinals) {
        Map<AppDay, DayState> shares = new HashMap<>();
        fold(bySide.withoutEventSide(), days, ordinals, shares);
        fold(bySide, days, ordinals, shares);
        return shares;
    }

    private static void fold(RollupDelta rows, Set<AppDay> days, Map<AppUser, Integer> ordinals, Map<AppDay, DayState> shares) {
        rows.rows().forEach((key, counters) -> {
            AppDay day = new AppDay(key.appId(), key.date());
            if (!days.contains(day)) {
                return;
            }
            Integer ordinal = ordinals.get(new AppUser(key.appId(), key.userId()));
            if (ordinal == null) {
                throw new IllegalStateException("user " + key.userId() + " of app " + key.appId() + " has no ordinal");
            }
            DayState share = shares.computeIfAbsent(day, d -> new DayState(Integer.MAX_VALUE));
            if (key.side() == null) {
                share.add(ordinal, USER_SIDE, userSide(key.traits()), sums(counters));
            } else {
                share.add(ordinal, EVENT_SIDE, eventSide(key.side()), sums(counters));
            }
        });
    }

    /** The values of the user-side dimensions as their columns read as text (V33 DayStateDimension.column). */
    static String[] userSide(UserTraits t) {
        String[] values = new String[USER_SIDE.length];
        for (int i = 0; i < USER_SIDE.length; i++) {
            values[i] = switch (USER_SIDE[i]) {
                case TOTAL -> null;
                case USER_GENDER -> t.gender() == null ? null : Short.toString(t.gender().shortValue());
                case USER_AGE -> t.age() == null ? null : Short.toString(t.age().shortValue());
                case USER_OS -> t.os();
                case USER_SOURCE -> t.source();
                case USER_COUNTRY -> t.country();
                case USER_CITY -> t.city();
                case USER_EXP_GROUP -> t.expGroup() == null ? null : t.expGroup().toString();
                default -> throw new IllegalStateException("not a user-side dimension: " + USER_SIDE[i]);
            };
        }
        return values;
    }

    static String[] eventSide(EventSide side) {
        String[] values = new String[EVENT_SIDE.length];
        for (int i = 0; i < EVENT_SIDE.length; i++) {
            values[i] = switch (EVENT_SIDE[i]) {
                case EVENT_NAME -> side.event();
                case EVENT_CATEGORY -> side.category();
                case DEVICE -> side.device();
                case PAGE_HOST -> side.host();
                case CONTENT_TYPE -> side.contentType();
                case POST_ID -> side.postId() == null ? null : side.postId().toString();
                case CONTENT_ID -> side.contentId();
                default -> throw new IllegalStateException("not an event-side dimension: " + EVENT_SIDE[i]);
            };
        }
        return values;
    }

    private static Sums sums(Counters c) {
        return new Sums(c.events(), c.views(), c.likes(), c.messages(), c.signups(), c.purchases(), c.revenue(), c.pageViews(), c.plays(),
                c.engagement().seconds(), c.engagement().pctSum(), c.engagement().pctCount(), 0, BigDecimal.ZERO, 0);
    }
}
