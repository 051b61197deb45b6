package dev.pulse.query.domain;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** SPEC §6 dimensions and the raw-store expression of each (alias {@code e}). */
public enum Dimension {
    TIME_DAY("time:day", "e.event_date"),
    TIME_WEEK("time:week", "date_trunc('week', e.event_date)::date"),
    TIME_MONTH("time:month", "to_char(e.event_date, 'YYYY-MM')"),
    USER_GENDER("user:gender", "e.gender"),
    USER_AGE("user:age", "e.age"),
    USER_OS("user:os", "e.user_os"),
    USER_SOURCE("user:source", "e.source"),
    USER_COUNTRY("user:country", "e.country"),
    USER_CITY("user:city", "e.city"),
    USER_EXP_GROUP("user:exp_group", "e.exp_group"),
    // the Monday of the week of the user's first day, from the first_date a source joins in (see Sources)
    USER_COHORT_WEEK("user:cohort_week", "date_trunc('week', e.first_date)::date"),
    EVENT_NAME("event:name", "e.event"),
    EVENT_CATEGORY("event:category", "e.category"),
    POST_ID("post:id", "e.post_id"),
    CONTENT_ID("content:id", "e.content_id"),
    CONTENT_TYPE("content:type", "e.content_type"),
    PAGE_HOST("page:host", "e.host"),
    DEVICE("device", "e.device");

    private static final Map<String, Dimension> BY_NAME = Arrays.stream(values())
            .collect(Collectors.toMap(Dimension::apiName, Function.identity()));

    private final String apiName;
    private final String sql;

    Dimension(String apiName, String sql) {
        this.apiName = apiName;
        this.sql = sql;
    }

    public static Optional<Dimension> of(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    public String apiName() {
        return apiName;
    }

    public String sql() {
        return sql;
    }

    /** Whether the expression reads the user's first day, which a source must join in. */
    public boolean needsFirstSeen() {
        return this == USER_COHORT_WEEK;
    }

    public boolean isTime() {
        return this == TIME_DAY || this == TIME_WEEK || this == TIME_MONTH;
    }
}
