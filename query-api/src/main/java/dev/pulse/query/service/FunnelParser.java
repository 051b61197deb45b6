package dev.pulse.query.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.contract.EventValidator;
import dev.pulse.query.domain.App;
import dev.pulse.query.domain.Dimension;
import dev.pulse.query.domain.Funnel;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Validates a {@code POST /v1/funnel} body into a {@link Funnel}; every refusal names the field at fault. */
@ApplicationScoped
public class FunnelParser {
    private static final Set<String> FIELDS = Set.of("app", "steps", "window", "date_range", "breakdown");
    private static final Set<String> STEP_FIELDS = Set.of("event", "filters");
    static final int MIN_STEPS = 2;
    static final int MAX_STEPS = 10;
    private static final Pattern WINDOW = Pattern.compile("([1-9][0-9]{0,5})([mhd])");
    private static final Duration MIN_WINDOW = Duration.ofMinutes(1);
    private static final Duration MAX_WINDOW = Duration.ofDays(90);
    public static final String DEFAULT_WINDOW = "7d";

    private final QueryParser queries;

    public FunnelParser(QueryParser queries) {
        this.queries = queries;
    }

    public Funnel parse(JsonNode body, App app) {
        InputLimits.onlyFields(body, FIELDS, "");
        List<Funnel.Step> steps = steps(body.get("steps"));
        Duration window = window(body.get("window"));
        LocalDate[] range = queries.dateRange(body.get("date_range"), app);
        return new Funnel(app, steps, window, range[0], range[1], breakdown(body.get("breakdown")));
    }

    private static List<Funnel.Step> steps(JsonNode node) {
        if (node == null || !node.isArray() || node.size() < MIN_STEPS || node.size() > MAX_STEPS) {
            throw InputLimits.bad("must be an array of " + MIN_STEPS + " to " + MAX_STEPS + " steps {\"event\": name, \"filters\": [...]}", "steps");
        }
        List<Funnel.Step> steps = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String field = "steps[" + i + "]";
            JsonNode step = node.get(i);
            if (!step.isObject()) {
                throw InputLimits.bad("a step is {\"event\": name, \"filters\": [...]}", field);
            }
            InputLimits.onlyFields(step, STEP_FIELDS, field + ".");
            JsonNode event = step.get("event");
            if (event == null || !event.isTextual() || !EventValidator.isEventName(event.textValue())) {
                throw InputLimits.bad("must be an event name [a-z][a-z0-9_.:-]{0,63}", field + ".event");
            }
            steps.add(new Funnel.Step(event.textValue(), QueryParser.filters(step.get("filters"), field + ".filters")));
        }
        return steps;
    }

    private static Duration window(JsonNode node) {
        String text = node == null || node.isNull() ? DEFAULT_WINDOW : node.isTextual() ? node.textValue() : "";
        Matcher m = WINDOW.matcher(text);
        Duration window = null;
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            window = switch (m.group(2)) {
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        if (window == null || window.compareTo(MIN_WINDOW) < 0 || window.compareTo(MAX_WINDOW) > 0) {
            throw InputLimits.bad("must be minutes, hours or days such as \"30m\", \"24h\" or \"7d\", from 1m to 90d", "window");
        }
        return window;
    }

    private static Dimension breakdown(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        Dimension dimension = node.isTextual() ? Dimension.of(node.textValue()).orElse(null) : null;
        if (dimension == null || !(dimension == Dimension.DEVICE || dimension.apiName().startsWith("user:"))) {
            throw InputLimits.bad("must be a user trait (user:country, …) or device", "breakdown");
        }
        return dimension;
    }
}
