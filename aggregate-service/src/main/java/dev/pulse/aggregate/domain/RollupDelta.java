package dev.pulse.aggregate.domain;

import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.EventCatalog;
import dev.pulse.contract.UserTraits;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch's share of the per-user daily rollups: counters per user-day and the traits attached to its events
 * (fact_user_daily), and per user-day, traits and event-side values (fact_user_event_daily).
 */
public record RollupDelta(Map<TraitsDay, Counters> rows) {
    /** A user-day under one set of traits ({@link UserTraits#NONE} for events without any), and event side when kept by it. */
    public record TraitsDay(String appId, LocalDate date, String userId, UserTraits traits, EventSide side) {
    }

    /**
     * The event-side dimensions of SPEC §6 an event has: event:name, event:category, device, page:host, content:type,
     * post:id, content:id; and a message's receiver, which the distinct receivers and connections read (V38).
     */
    public record EventSide(String event, String category, String device, String host, String contentType, Long postId, String contentId,
            String receiverId) {
        static EventSide of(EnrichedEvent e) {
            return new EventSide(e.event(), e.category(), e.device(), e.host(), e.contentType(), e.postId(), e.contentId(), e.receiverId());
        }
    }

    /** Events by kind (custom events only count as events), revenue of purchases, plays and engagement. */
    public record Counters(int events, int views, int likes, int messages, int signups, int purchases, BigDecimal revenue,
            int pageViews, int plays, Engagement engagement) {
        static Counters of(EnrichedEvent e) {
            String event = e.event();
            boolean purchase = EventCatalog.PURCHASE.equals(event);
            return new Counters(1, one(EventCatalog.FEED_VIEW.equals(event)), one(EventCatalog.FEED_LIKE.equals(event)),
                    one(EventCatalog.MESSAGE_SENT.equals(event)), one(EventCatalog.SIGNUP.equals(event)), one(purchase),
                    purchase ? BigDecimal.ZERO.add(e.revenue()) : BigDecimal.ZERO, one(EventCatalog.PAGE_VIEW.equals(event)),
                    one(EventCatalog.CONTENT_ENGAGEMENT.equals(event) && CounterDelta.isPlay(e)), Engagement.of(e));
        }

        Counters plus(Counters o) {
            return new Counters(events + o.events, views + o.views, likes + o.likes, messages + o.messages, signups + o.signups,
                    purchases + o.purchases, revenue.add(o.revenue), pageViews + o.pageViews, plays + o.plays, engagement.plus(o.engagement));
        }

        private static int one(boolean counted) {
            return counted ? 1 : 0;
        }
    }

    /** Per user-day, traits and event side: fact_user_event_daily's rows. */
    public static RollupDelta byEventSide(List<EnrichedEvent> fresh) {
        Map<TraitsDay, Counters> rows = new LinkedHashMap<>();
        for (EnrichedEvent e : fresh) {
            rows.merge(new TraitsDay(e.appId(), e.eventDate(), e.userId(), e.user() == null ? UserTraits.NONE : e.user(), EventSide.of(e)),
                    Counters.of(e), Counters::plus);
        }
        return new RollupDelta(rows);
    }

    /** The same counters per user-day and traits only: fact_user_daily's rows, each the sum of its event-side rows. */
    public RollupDelta withoutEventSide() {
        Map<TraitsDay, Counters> summed = new LinkedHashMap<>();
        rows.forEach((k, c) -> summed.merge(new TraitsDay(k.appId(), k.date(), k.userId(), k.traits(), null), c, Counters::plus));
        return new RollupDelta(summed);
    }
}
