package dev.pulse.aggregate.domain;

import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.UserTraits;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

/** Hand-made events for the delta tests: a kind, a user and a time, with only the fields a test sets. */
final class TestEvent {
    static final String APP = "app";
    static final LocalDate DAY = LocalDate.of(2026, 3, 31);

    private final String event;
    private final String user;
    private LocalDate date = DAY;
    private int second;
    private Long postId;
    private String receiverId;
    private String contentId;
    private String action;
    private BigDecimal revenue;
    private UserTraits traits;
    private String device;
    private String browser;
    private String host;
    private Double engagementSeconds;
    private Double engagementPct;
    private boolean late;
    private boolean clamped;

    private TestEvent(String event, String user) {
        this.event = event;
        this.user = user;
    }

    /** An event {@code second}s into {@link #DAY}. */
    static TestEvent of(String event, String user, int second) {
        TestEvent e = new TestEvent(event, user);
        e.second = second;
        return e;
    }

    TestEvent on(LocalDate day) {
        date = day;
        return this;
    }

    TestEvent post(long id) {
        postId = id;
        return this;
    }

    TestEvent to(String receiver) {
        receiverId = receiver;
        return this;
    }

    TestEvent content(String id, String what, String onDevice) {
        contentId = id;
        action = what;
        device = onDevice;
        return this;
    }

    TestEvent engagement(Double seconds, Double pct) {
        engagementSeconds = seconds;
        engagementPct = pct;
        return this;
    }

    TestEvent revenue(String amount) {
        revenue = new BigDecimal(amount);
        return this;
    }

    TestEvent traits(UserTraits attached) {
        traits = attached;
        return this;
    }

    TestEvent browsing(String onDevice, String inBrowser, String onHost) {
        device = onDevice;
        browser = inBrowser;
        host = onHost;
        return this;
    }

    TestEvent late() {
        late = true;
        return this;
    }

    TestEvent clamped() {
        clamped = true;
        return this;
    }

    EnrichedEvent build() {
        Instant at = date.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(second);
        return new EnrichedEvent(APP, UUID.randomUUID(), event, null, user, at, date, at, clamped, late, null, null, postId,
                receiverId, contentId, action, null, revenue, null, traits, device, null, browser, host, null, null, null, null,
                null, engagementSeconds, engagementPct);
    }

    /** What an {@link Activity} should hold for the events that match: found by filtering and sorting, not by merging. */
    static Activity expectedActivity(List<EnrichedEvent> events, Predicate<EnrichedEvent> matching) {
        List<Instant> times = events.stream().filter(matching).map(EnrichedEvent::timestamp).sorted(Comparator.naturalOrder()).toList();
        return times.isEmpty() ? Activity.NONE : new Activity(times.getFirst(), times.getLast(), times.size());
    }
}
