package dev.pulse.query.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.web.problem.ProblemException;
import dev.pulse.query.config.QueryConfig;
import dev.pulse.query.domain.App;
import dev.pulse.query.domain.Dimension;
import dev.pulse.query.domain.Filter;
import dev.pulse.query.domain.Metric;
import dev.pulse.query.domain.Order;
import dev.pulse.query.domain.Query;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Validates a {@code POST /v1/query} body into a {@link Query}; every refusal names the field at fault. */
@ApplicationScoped
public class QueryParser {
    private static final Set<String> FIELDS = Set.of("app", "metrics", "date_range", "dimensions", "filters", "order_by", "limit", "offset");
    private static final Set<String> OPERATORS = Set.of("is", "is_not", "contains");
    /** Bounds of the SQL a body can make: filters and their values each travel as a condition and a parameter. */
    private static final int MAX_FILTERS = 32;
    private static final int MAX_FILTER_VALUES = 1000;

    private final QueryConfig config;

    public QueryParser(QueryConfig config) {
        this.config = config;
    }

    public Query parse(JsonNode body, App app) {
        InputLimits.onlyFields(body, FIELDS, "");
        List<Metric> metrics = metrics(body.get("metrics"));
        LocalDate[] range = dateRange(body.get("date_range"), app);
        List<Dimension> dimensions = dimensions(body.get("dimensions"));
        if (metrics.stream().anyMatch(Metric::isRolling)
                && dimensions.stream().anyMatch(d -> d.isTime() && d != Dimension.TIME_DAY)) {
            throw bad("wau and mau are per day: use time:day or no time dimension", "metrics");
        }
        if (metrics.stream().anyMatch(m -> m.sevenDaysEarlier().isPresent()) && dimensions.contains(Dimension.TIME_MONTH)) {
            throw bad("the *_7_days_ago metrics move days and weeks by 7 days, not months: use time:day, time:week or none", "metrics");
        }
        List<Filter> filters = filters(body.get("filters"), "filters");
        if (metrics.stream().anyMatch(Metric::readsMessengerSides)) {
            // a receiver has no event of its own to read event, page or content values from: only who and when
            if (!dimensions.stream().allMatch(QueryParser::userOrTime)) {
                throw bad("messenger_users, receive_only_users and avg_time_between_messages_sent break down by time and user:* only", "dimensions");
            }
            if (!filters.stream().allMatch(f -> userOrTime(f.dimension()))) {
                throw bad("messenger_users, receive_only_users and avg_time_between_messages_sent filter on user:* only", "filters");
            }
        }
        List<Order> orderBy = orderBy(body.get("order_by"), metrics, dimensions);
        int limit = integer(body.get("limit"), "limit", config.maxLimit(), 1, config.maxLimit());
        int offset = integer(body.get("offset"), "offset", 0, 0, Integer.MAX_VALUE);
        return new Query(app, metrics, range[0], range[1], dimensions, filters, orderBy, limit, offset);
    }

    private static boolean userOrTime(Dimension dimension) {
        return dimension.isTime() || dimension.apiName().startsWith("user:");
    }

    private static List<Metric> metrics(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw bad("metrics must be a non-empty array of metric names", "metrics");
        }
        List<Metric> metrics = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String field = "metrics[" + i + "]";
            Metric metric = Metric.of(node.get(i).asText()).orElseThrow(() -> bad("unknown metric", field));
            if (metrics.contains(metric)) {
                throw bad("metric listed twice", field);
            }
            metrics.add(metric);
        }
        return metrics;
    }

    /** The range of days asked, in the app's calendar; funnels read theirs the same way. */
    LocalDate[] dateRange(JsonNode node, App app) {
        LocalDate today = LocalDate.now(app.zone());
        if (node == null || node.isNull()) {
            throw bad("date_range is required: \"today\", \"7d\", \"30d\" or [from, to]", "date_range");
        }
        LocalDate from;
        LocalDate to;
        if (node.isTextual()) {
            switch (node.textValue()) {
                case "today" -> from = today;
                case "7d" -> from = today.minusDays(6);
                case "30d" -> from = today.minusDays(29);
                default -> throw bad("date_range must be \"today\", \"7d\", \"30d\" or [from, to]", "date_range");
            }
            to = today;
        } else if (node.isArray() && node.size() == 2) {
            from = date(node.get(0), "date_range[0]");
            to = date(node.get(1), "date_range[1]");
        } else {
            throw bad("date_range must be \"today\", \"7d\", \"30d\" or [from, to]", "date_range");
        }
        if (from.isAfter(to)) {
            throw bad("date_range starts after it ends", "date_range");
        }
        if (ChronoUnit.DAYS.between(from, to) + 1 > config.maxRangeDays()) {
            throw bad("date_range spans more than " + config.maxRangeDays() + " days", "date_range");
        }
        return new LocalDate[] {from, to};
    }

    private static LocalDate date(JsonNode node, String field) {
        if (!node.isTextual()) {
            throw bad("must be a date YYYY-MM-DD", field);
        }
        return InputLimits.date(node.textValue(), field);
    }

    private static List<Dimension> dimensions(JsonNode node) {
        List<Dimension> dimensions = new ArrayList<>();
        if (node == null || node.isNull()) {
            return dimensions;
        }
        if (!node.isArray()) {
            throw bad("dimensions must be an array", "dimensions");
        }
        for (int i = 0; i < node.size(); i++) {
            String field = "dimensions[" + i + "]";
            Dimension dimension = Dimension.of(node.get(i).asText()).orElseThrow(() -> bad("unknown dimension", field));
            if (dimensions.contains(dimension)) {
                throw bad("dimension listed twice", field);
            }
            if (dimension.isTime() && dimensions.stream().anyMatch(Dimension::isTime)) {
                throw bad("only one time dimension per query", field);
            }
            dimensions.add(dimension);
        }
        return dimensions;
    }

    /** Filters at {@code path} (the body's field, for the messages): a list of [op, dimension, values]. */
    public static List<Filter> filters(JsonNode node, String path) {
        List<Filter> filters = new ArrayList<>();
        if (node == null || node.isNull()) {
            return filters;
        }
        if (!node.isArray() || node.size() > MAX_FILTERS) {
            throw bad("filters must be an array of at most " + MAX_FILTERS + " [op, dimension, values]", path);
        }
        for (int i = 0; i < node.size(); i++) {
            String field = path + "[" + i + "]";
            JsonNode f = node.get(i);
            if (!f.isArray() || f.size() != 3 || !f.get(2).isArray() || f.get(2).isEmpty() || f.get(2).size() > MAX_FILTER_VALUES) {
                throw bad("a filter is [op, dimension, [values...]] with 1 to " + MAX_FILTER_VALUES + " values", field);
            }
            if (!OPERATORS.contains(f.get(0).asText())) {
                throw bad("op must be is, is_not or contains", field);
            }
            Dimension dimension = Dimension.of(f.get(1).asText()).orElseThrow(() -> bad("unknown dimension", field));
            List<String> values = new ArrayList<>();
            for (int j = 0; j < f.get(2).size(); j++) {
                JsonNode value = f.get(2).get(j);
                String at = field + "[2][" + j + "]";
                if (!value.isValueNode() || value.isNull()) {
                    throw bad("a filter value is a string or a number", at);
                }
                values.add(InputLimits.text(value.asText(), at));
            }
            filters.add(new Filter(f.get(0).asText(), dimension, values));
        }
        return filters;
    }

    private static List<Order> orderBy(JsonNode node, List<Metric> metrics, List<Dimension> dimensions) {
        List<Order> orders = new ArrayList<>();
        if (node == null || node.isNull()) {
            return orders;
        }
        if (!node.isArray()) {
            throw bad("order_by must be an array of [field, \"asc\"|\"desc\"]", "order_by");
        }
        for (int i = 0; i < node.size(); i++) {
            String field = "order_by[" + i + "]";
            JsonNode o = node.get(i);
            if (!o.isArray() || o.size() != 2 || !Set.of("asc", "desc").contains(o.get(1).asText())) {
                throw bad("an order is [field, \"asc\"|\"desc\"]", field);
            }
            String name = o.get(0).asText();
            boolean known = metrics.stream().anyMatch(m -> m.apiName().equals(name))
                    || dimensions.stream().anyMatch(d -> d.apiName().equals(name));
            if (!known) {
                throw bad("order by a metric or dimension of this query", field);
            }
            if (orders.stream().anyMatch(order -> order.field().equals(name))) {
                throw bad("ordered by twice", field);
            }
            orders.add(new Order(name, o.get(1).asText().equals("desc")));
        }
        return orders;
    }

    private static int integer(JsonNode node, String field, int fallback, int min, int max) {
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.canConvertToExactIntegral() || !node.canConvertToInt() || node.asInt() < min || node.asInt() > max) {
            throw bad("must be an integer in [" + min + ", " + max + "]", field);
        }
        return node.asInt();
    }

    private static ProblemException bad(String detail, String field) {
        return InputLimits.bad(detail, field);
    }
}
