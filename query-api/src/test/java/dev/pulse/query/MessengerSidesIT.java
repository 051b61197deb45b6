package dev.pulse.query;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TestData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * messenger_users, receive_only_users and avg_time_between_messages_sent against both sides of each message worked
 * out here: the sender with the event's traits, the receiver with the dim_users version valid when the message was
 * sent (none: unknown). In New York over the end of summer time; one receiver's country changes mid-range, one has
 * no version before some of its messages, one is never known, and two senders also receive.
 */
@QuarkusTest
@WithTestResource(PulseInfrastructure.WithoutKafka.class)
class MessengerSidesIT {
    private static final ZoneId ZONE = ZoneId.of("America/New_York");
    private static final LocalDate FIRST = LocalDate.of(2026, 10, 31);
    private static final int DAYS = 3;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final Instant START = FIRST.atStartOfDay(ZONE).toInstant();
    private static final Instant END = FIRST.plusDays(DAYS).atStartOfDay(ZONE).toInstant();
    private static final Instant MIDDLE = START.plusSeconds((END.getEpochSecond() - START.getEpochSecond()) / 2);
    private static final Instant R3_KNOWN = START.plusSeconds(20 * 3_600);
    private static final List<Message> MESSAGES = new ArrayList<>();
    private static String app;
    private static String token;

    record Message(String sender, String receiver, Instant ts, String senderCountry) {
        LocalDate day() {
            return ts.atZone(ZONE).toLocalDate();
        }
    }

    /** One side of a message: the user, whether they sent it, and their country then. */
    record Side(String user, boolean sent, Instant ts, LocalDate day, String country) {
    }

    /** The receivers' countries by time, as the dim_users rows below say (null: no version then). */
    private static String receiverCountry(String user, Instant at) {
        return switch (user) {
            case "r0" -> at.isBefore(MIDDLE) ? "DE" : "FR";
            case "r1" -> "US";
            case "r3" -> at.isBefore(R3_KNOWN) ? null : "BR";
            case "s0" -> "GB";
            case "s1" -> "CA";
            default -> null;
        };
    }

    @BeforeAll
    static void load() throws Exception {
        Random random = new Random(2026);
        String[] senders = {"s0", "s1", "s2", "s3", "s4", "s5"};
        String[] receivers = {"r0", "r1", "r2", "r3", "s0", "s1"};
        Map<String, String> senderCountry = Map.of("s0", "GB", "s1", "IN", "s2", "DE", "s3", "US", "s4", "US", "s5", "FR");
        long span = END.getEpochSecond() - START.getEpochSecond();
        for (int i = 0; i < 90; i++) {
            String sender = senders[random.nextInt(senders.length)];
            String receiver = receivers[random.nextInt(receivers.length)];
            if (receiver.equals(sender)) {
                continue;
            }
            // whole seconds, some within a minute of a local midnight
            Instant ts = random.nextInt(5) == 0
                    ? FIRST.plusDays(1 + random.nextInt(DAYS - 1)).atStartOfDay(ZONE).toInstant().plusSeconds(random.nextInt(120) - 60)
                    : START.plusSeconds(random.nextLong(span));
            // s2's own traits change halfway: its events carry the country of their time
            String country = sender.equals("s2") && !ts.isBefore(MIDDLE) ? "ES" : senderCountry.get(sender);
            MESSAGES.add(new Message(sender, receiver, ts, country));
        }
        app = TestData.newAppId();
        token = TestData.createApp(PulseInfrastructure.current().dataSource(), app, ZONE.getId());
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection()) {
            try (PreparedStatement insert = c.prepareStatement("""
                    INSERT INTO events (app_id, event_date, event_id, event_ts, received_at, event, category, user_id, receiver_id, country)
                    VALUES (?, ?, gen_random_uuid(), ?, ?, 'message.sent', 'engagement', ?, ?, ?)""")) {
                for (Message m : MESSAGES) {
                    insert.setString(1, app);
                    insert.setObject(2, m.day());
                    insert.setTimestamp(3, Timestamp.from(m.ts()));
                    insert.setTimestamp(4, Timestamp.from(m.ts()));
                    insert.setString(5, m.sender());
                    insert.setString(6, m.receiver());
                    insert.setString(7, m.senderCountry());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            Instant epoch = Instant.parse("2020-01-01T00:00:00Z");
            version(c, "r0", 1, "DE", epoch, MIDDLE);
            version(c, "r0", 2, "FR", MIDDLE, null);
            version(c, "r1", 1, "US", epoch, null);
            version(c, "r3", 1, "BR", R3_KNOWN, null);
            version(c, "s0", 1, "GB", epoch, null);
            version(c, "s1", 1, "CA", epoch, null);
        }
    }

    private static void version(Connection c, String user, int version, String country, Instant from, Instant to) throws Exception {
        try (PreparedStatement insert = c.prepareStatement("""
                INSERT INTO dim_users (app_id, user_id, country, version, valid_from, valid_to, is_current) VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
            insert.setString(1, app);
            insert.setString(2, user);
            insert.setString(3, country);
            insert.setInt(4, version);
            insert.setTimestamp(5, Timestamp.from(from));
            insert.setTimestamp(6, to == null ? null : Timestamp.from(to));
            insert.setBoolean(7, to == null);
            insert.executeUpdate();
        }
    }

    private static List<Side> sides() {
        List<Side> sides = new ArrayList<>();
        for (Message m : MESSAGES) {
            sides.add(new Side(m.sender(), true, m.ts(), m.day(), m.senderCountry()));
            sides.add(new Side(m.receiver(), false, m.ts(), m.day(), receiverCountry(m.receiver(), m.ts())));
        }
        return sides;
    }

    /** The three figures of the sides of one group, as the API rounds them. */
    private static List<BigDecimal> figures(List<Side> group) {
        Map<String, List<Side>> byUser = group.stream().collect(Collectors.groupingBy(Side::user));
        long receiveOnly = byUser.values().stream().filter(s -> s.stream().noneMatch(Side::sent)).count();
        // per user and day: the mean time between their sent messages, over those with two or more
        List<BigDecimal> gaps = new ArrayList<>();
        group.stream().filter(Side::sent).collect(Collectors.groupingBy(s -> s.user() + "|" + s.day())).values().forEach(sent -> {
            if (sent.size() > 1) {
                long first = sent.stream().mapToLong(s -> s.ts().getEpochSecond()).min().orElseThrow();
                long last = sent.stream().mapToLong(s -> s.ts().getEpochSecond()).max().orElseThrow();
                gaps.add(BigDecimal.valueOf(last - first).divide(BigDecimal.valueOf(sent.size() - 1), 20, RoundingMode.HALF_UP));
            }
        });
        BigDecimal avg = gaps.isEmpty() ? BigDecimal.ZERO
                : gaps.stream().reduce(BigDecimal.ZERO, BigDecimal::add).divide(BigDecimal.valueOf(gaps.size()), 4, RoundingMode.HALF_UP);
        return List.of(BigDecimal.valueOf(byUser.size()).stripTrailingZeros(), BigDecimal.valueOf(receiveOnly).stripTrailingZeros(),
                avg.stripTrailingZeros());
    }

    private static Map<String, List<BigDecimal>> expected(Function<Side, String> group) {
        Map<String, List<BigDecimal>> rows = new TreeMap<>();
        sides().stream().collect(Collectors.groupingBy(s -> Objects.toString(group.apply(s))))
                .forEach((key, of) -> rows.put(key, figures(of)));
        return rows;
    }

    private static Map<String, List<BigDecimal>> actual(String dimensions, String filters) {
        String body = "{\"app\":\"" + app + "\",\"metrics\":[\"messenger_users\",\"receive_only_users\",\"avg_time_between_messages_sent\"],"
                + "\"date_range\":[\"" + FIRST + "\",\"" + FIRST.plusDays(DAYS - 1) + "\"],\"dimensions\":" + dimensions
                + (filters == null ? "" : ",\"filters\":" + filters) + "}";
        String answer = given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON).body(body)
                .when().post("/v1/query").then().statusCode(200).extract().asString();
        Map<String, List<BigDecimal>> rows = new TreeMap<>();
        try {
            for (JsonNode row : MAPPER.readTree(answer).get("results")) {
                List<String> key = new ArrayList<>();
                row.get("dimensions").forEach(d -> key.add(d.isNull() ? "null" : d.asText()));
                List<BigDecimal> values = new ArrayList<>();
                row.get("metrics").forEach(m -> values.add(m.decimalValue().stripTrailingZeros()));
                rows.put(String.join("|", key), values);
            }
        } catch (Exception e) {
            throw new AssertionError(answer, e);
        }
        return rows;
    }

    @Test
    void perLocalDayBothSidesCount() {
        assertEquals(expected(s -> s.day().toString()), actual("[\"time:day\"]", null));
    }

    @Test
    void perCountryTheReceiversCountryIsTheVersionOfTheMomentAndUnknownIsAGroup() {
        Map<String, List<BigDecimal>> expected = expected(Side::country);
        assertEquals(Set.of("BR", "CA", "DE", "ES", "FR", "GB", "IN", "US", "null"), expected.keySet(), "the fixture covers every case");
        assertEquals(expected, actual("[\"user:country\"]", null));
    }

    @Test
    void aFilterOnTheCountryKeepsTheSidesOfThatCountry() {
        Map<String, List<BigDecimal>> expected = new TreeMap<>();
        Map<String, List<Side>> byDay = sides().stream().filter(s -> "US".equals(s.country()))
                .collect(Collectors.groupingBy(s -> s.day().toString()));
        byDay.forEach((day, of) -> expected.put(day, figures(of)));
        assertEquals(expected, actual("[\"time:day\"]", "[[\"is\",\"user:country\",[\"US\"]]]"));
    }

    @Test
    void eventDimensionsAreRefusedNamingTheField() {
        String body = "{\"app\":\"" + app + "\",\"metrics\":[\"receive_only_users\"],\"date_range\":\"7d\",\"dimensions\":[\"event:name\"]}";
        given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON).body(body)
                .when().post("/v1/query").then().statusCode(400).body("field", org.hamcrest.Matchers.equalTo("dimensions"));
    }
}
