package dev.pulse.schema;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

import org.roaringbitmap.RoaringBitmap;

/**
 * The dimensions of the day state (V33 day_values): aggregate-service writes a row per closed app-day and value of
 * each, query-api reads them by name, and both encode the users alike. A value is the rollup column as text, as
 * query-api's filters compare it; {@link #TOTAL} is the day's one row of every user. The user's traits are kept
 * from fact_user_daily, the event's side (post and content ids too, V37) from fact_user_event_daily. user:cohort_week is not kept: a late event that
 * moves a user's first day moves the user's rows of days it does not bump.
 */
public enum DayStateDimension {
    TOTAL("", true, "NULL::text"),
    USER_GENDER("user:gender", true, "gender::text"),
    USER_AGE("user:age", true, "age::text"),
    USER_OS("user:os", true, "user_os"),
    USER_SOURCE("user:source", true, "source"),
    USER_COUNTRY("user:country", true, "country"),
    USER_CITY("user:city", true, "city"),
    USER_EXP_GROUP("user:exp_group", true, "exp_group::text"),
    EVENT_NAME("event:name", false, "event"),
    EVENT_CATEGORY("event:category", false, "category"),
    DEVICE("device", false, "device"),
    PAGE_HOST("page:host", false, "host"),
    CONTENT_TYPE("content:type", false, "content_type"),
    POST_ID("post:id", false, "post_id::text"),
    CONTENT_ID("content:id", false, "content_id");

    private final String apiName;
    private final boolean userSide;
    private final String column;

    DayStateDimension(String apiName, boolean userSide, String column) {
        this.apiName = apiName;
        this.userSide = userSide;
        this.column = column;
    }

    /** The query API's name of the dimension; empty for the total. */
    public String apiName() {
        return apiName;
    }

    /** Kept from fact_user_daily (else from fact_user_event_daily). */
    public boolean userSide() {
        return userSide;
    }

    /** The value's expression over a row of its rollup. */
    public String column() {
        return column;
    }

    /** The dimensions kept from fact_user_daily ({@code userSide}), or from fact_user_event_daily, in their order. */
    public static DayStateDimension[] kept(boolean userSide) {
        return Arrays.stream(values()).filter(d -> d.userSide == userSide).toArray(DayStateDimension[]::new);
    }

    public static Optional<DayStateDimension> of(String apiName) {
        return Arrays.stream(values()).filter(d -> d.apiName.equals(apiName)).findFirst();
    }

    /** The dimensions of a state's {@code unheld} list (V37: API names). */
    public static Set<DayStateDimension> named(String[] apiNames) {
        Set<DayStateDimension> named = EnumSet.noneOf(DayStateDimension.class);
        Arrays.stream(apiNames).forEach(name -> named.add(of(name).orElseThrow(() -> new IllegalArgumentException("no dimension " + name))));
        return named;
    }

    /** A bitmap of user ordinals as day_values and day_state hold it: RoaringBitmap's portable format. */
    public static byte[] bytes(RoaringBitmap users) {
        users.runOptimize();
        ByteBuffer buffer = ByteBuffer.allocate(users.serializedSizeInBytes());
        users.serialize(buffer);
        return buffer.array();
    }

    public static RoaringBitmap users(byte[] bytes) {
        RoaringBitmap users = new RoaringBitmap();
        try {
            users.deserialize(ByteBuffer.wrap(bytes));
        } catch (java.io.IOException | RuntimeException e) {
            // RoaringBitmap reports a bad cookie or truncated bytes unchecked
            throw new IllegalStateException("not a bitmap of user ordinals", e);
        }
        return users;
    }
}
