package dev.pulse.aggregate.domain;

import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.EventCatalog;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch's share of the facts that are plain sums.
 *
 * @param connections messages per sender and receiver on a day
 * @param content     engagement per content item and device on a day
 * @param plays       the plays, whose users may be new players of their content
 * @param quality     the day's accepted, late and clock-clamped events
 */
public record CounterDelta(Map<Connection, Integer> connections, Map<ContentDay, ContentEngagement> content,
        List<EnrichedEvent> plays, Map<AppDay, Quality> quality) {
    public record Connection(String appId, LocalDate date, String sender, String receiver) {
    }

    /** A content item on a day, on a device ("unknown" when none was given). */
    public record ContentDay(String appId, LocalDate date, String contentId, String device) {
    }

    public record ContentEngagement(int events, int plays, Engagement engagement) {
        ContentEngagement plus(ContentEngagement other) {
            return new ContentEngagement(events + other.events, plays + other.plays, engagement.plus(other.engagement));
        }
    }

    public record Quality(long accepted, long late, long clamped) {
        static Quality of(EnrichedEvent event) {
            return new Quality(1, event.late() ? 1 : 0, event.clockClamped() ? 1 : 0);
        }

        Quality plus(Quality other) {
            return new Quality(accepted + other.accepted, late + other.late, clamped + other.clamped);
        }
    }

    public static CounterDelta of(List<EnrichedEvent> fresh) {
        Map<Connection, Integer> connections = new LinkedHashMap<>();
        Map<ContentDay, ContentEngagement> content = new LinkedHashMap<>();
        List<EnrichedEvent> plays = new ArrayList<>();
        Map<AppDay, Quality> quality = new LinkedHashMap<>();
        for (EnrichedEvent e : fresh) {
            if (EventCatalog.MESSAGE_SENT.equals(e.event())) {
                connections.merge(new Connection(e.appId(), e.eventDate(), e.userId(), e.receiverId()), 1, Integer::sum);
            }
            if (EventCatalog.CONTENT_ENGAGEMENT.equals(e.event())) {
                boolean play = isPlay(e);
                content.merge(new ContentDay(e.appId(), e.eventDate(), e.contentId(), e.device() == null ? "unknown" : e.device()),
                        new ContentEngagement(1, play ? 1 : 0, Engagement.of(e)), ContentEngagement::plus);
                if (play) {
                    plays.add(e);
                }
            }
            quality.merge(new AppDay(e.appId(), e.eventDate()), Quality.of(e), Quality::plus);
        }
        return new CounterDelta(connections, content, plays, quality);
    }

    static boolean isPlay(EnrichedEvent event) {
        return "play".equals(event.action());
    }
}
