package dev.pulse.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The metric selectors and grouping labels of a PromQL expression: enough of the grammar to tell which metric
 * names and label names an alert or a dashboard panel relies on (not a validator of the rest of the syntax).
 */
final class PromQl {
    /** A vector selector: its metric name (null when only {@code __name__} matches) and its label matchers. */
    record Selector(String metric, Map<String, String> matchers) {
    }

    /** Everything an expression names. */
    record Names(List<Selector> selectors, Set<String> groupingLabels) {
    }

    /** Operators, and aggregations (followed by a grouping clause, their parentheses need not come next). */
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "atan2", "sum", "min", "max", "avg",
            "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio");
    private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");

    private final String text;
    private int pos;

    private PromQl(String text) {
        this.text = text;
    }

    static Names parse(String expression) {
        return new PromQl(expression).names();
    }

    private Names names() {
        List<Selector> selectors = new ArrayList<>();
        Set<String> grouping = new TreeSet<>();
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '"' || c == '\'' || c == '`') {
                string();
            } else if (c == '[') {
                pos = text.indexOf(']', pos) + 1;
            } else if (c == '{') {
                selectors.add(new Selector(null, matchers()));
            } else if (Character.isDigit(c) || c == '.' && pos + 1 < text.length() && Character.isDigit(text.charAt(pos + 1))) {
                while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
                    pos++; // a number or a duration
                }
            } else if (c == '$') {
                pos++;
                identifier(); // a Grafana variable such as $__rate_interval
            } else if (Character.isLetter(c) || c == '_' || c == ':') {
                String word = identifier();
                if (GROUPING.contains(word)) {
                    if (peek() == '(') {
                        grouping.addAll(labelList());
                    }
                } else if (!KEYWORDS.contains(word) && peek() != '(') {
                    selectors.add(new Selector(word, peek() == '{' ? matchers() : Map.of()));
                }
            } else {
                pos++;
            }
        }
        return new Names(selectors, grouping);
    }

    private char peek() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
        return pos < text.length() ? text.charAt(pos) : 0;
    }

    private String identifier() {
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_' || text.charAt(pos) == ':')) {
            pos++;
        }
        return text.substring(start, pos);
    }

    private String string() {
        char quote = text.charAt(pos++);
        StringBuilder value = new StringBuilder();
        while (text.charAt(pos) != quote) {
            if (text.charAt(pos) == '\\' && quote != '`') {
                pos++;
            }
            value.append(text.charAt(pos++));
        }
        pos++;
        return value.toString();
    }

    /** {@code {name op "value", ...}}: label name to the matched value (operator dropped). */
    private Map<String, String> matchers() {
        Map<String, String> matchers = new LinkedHashMap<>();
        pos++; // {
        while (peek() != '}') {
            String label = identifier();
            while (peek() == '=' || text.charAt(pos) == '!' || text.charAt(pos) == '~') {
                pos++;
            }
            peek();
            matchers.put(label, string());
            if (peek() == ',') {
                pos++;
            }
        }
        pos++; // }
        return matchers;
    }

    private List<String> labelList() {
        List<String> labels = new ArrayList<>();
        pos++; // (
        while (peek() != ')') {
            labels.add(identifier());
            if (peek() == ',') {
                pos++;
            }
        }
        pos++; // )
        return labels;
    }
}
