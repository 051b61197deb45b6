package dev.pulse.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

/** Rules over a whole JSON tree: what any value must be to be stored, and the bounds of {@code properties}. */
final class JsonTree {
    private JsonTree() {
    }

    /** Every key and string storable ({@link StorableText}), every number finite and integers within 64 bits. */
    static void checkStorable(JsonNode node, String path) {
        switch (node.getNodeType()) {
            case STRING -> {
                String problem = StorableText.problem(node.textValue());
                if (problem != null) {
                    throw new Violation(path, problem);
                }
            }
            case NUMBER -> {
                if (node.isIntegralNumber() && !node.canConvertToLong()) {
                    throw new Violation(path, "must be an integer in the 64-bit range");
                }
                if (!Double.isFinite(node.asDouble())) {
                    throw new Violation(path, "must be a finite number");
                }
            }
            case OBJECT -> {
                for (Map.Entry<String, JsonNode> entry : node.properties()) {
                    String child = child(path, entry.getKey());
                    String problem = StorableText.problem(entry.getKey());
                    if (problem != null) {
                        throw new Violation(child, "key " + problem);
                    }
                    checkStorable(entry.getValue(), child);
                }
            }
            case ARRAY -> {
                for (int i = 0; i < node.size(); i++) {
                    checkStorable(node.get(i), path + "[" + i + "]");
                }
            }
            default -> {
                // booleans and nulls are always storable
            }
        }
    }

    /** The {@link Limits} of properties: nesting depth, keys and elements, key length, size as compact UTF-8 JSON. */
    static void checkProperties(ObjectNode properties) {
        measure(properties, "properties", 1, new Budget(Limits.MAX_PROPERTY_ENTRIES, Limits.MAX_PROPERTY_BYTES));
    }

    /** Size of {@code node} as compact UTF-8 JSON, as {@link #checkProperties} counts it. */
    static long jsonBytes(JsonNode node) {
        Budget unbounded = new Budget(Integer.MAX_VALUE, Long.MAX_VALUE);
        measure(node, "", 1, unbounded);
        return unbounded.bytes;
    }

    static String child(String path, String key) {
        String name = StorableText.escape(key.length() > Limits.MAX_PROPERTY_KEY_LENGTH
                ? key.substring(0, Limits.MAX_PROPERTY_KEY_LENGTH) + "…" : key);
        return path.isEmpty() ? name : path + "." + name;
    }

    private static final class Budget {
        private final int maxEntries;
        private final long maxBytes;
        int entries;
        long bytes;

        Budget(int maxEntries, long maxBytes) {
            this.maxEntries = maxEntries;
            this.maxBytes = maxBytes;
        }

        void add(int entries, long bytes) {
            this.entries += entries;
            this.bytes += bytes;
            if (this.entries > maxEntries) {
                throw new Violation("properties", "more than " + maxEntries + " keys and array elements");
            }
            if (this.bytes > maxBytes) {
                throw new Violation("properties", "larger than " + maxBytes + " bytes as JSON");
            }
        }
    }

    private static void measure(JsonNode node, String path, int depth, Budget budget) {
        if (node.isContainerNode() && depth > Limits.MAX_PROPERTY_DEPTH) {
            throw new Violation(path, "nested deeper than " + Limits.MAX_PROPERTY_DEPTH + " levels");
        }
        switch (node.getNodeType()) {
            case OBJECT -> {
                budget.add(node.size(), 2L + Math.max(0, node.size() - 1));
                for (Map.Entry<String, JsonNode> entry : node.properties()) {
                    if (entry.getKey().length() > Limits.MAX_PROPERTY_KEY_LENGTH) {
                        throw new Violation(child(path, entry.getKey()), "key longer than " + Limits.MAX_PROPERTY_KEY_LENGTH + " characters");
                    }
                    budget.add(0, jsonStringBytes(entry.getKey()) + 1);
                    measure(entry.getValue(), child(path, entry.getKey()), depth + 1, budget);
                }
            }
            case ARRAY -> {
                budget.add(node.size(), 2L + Math.max(0, node.size() - 1));
                for (int i = 0; i < node.size(); i++) {
                    measure(node.get(i), path + "[" + i + "]", depth + 1, budget);
                }
            }
            case STRING -> budget.add(0, jsonStringBytes(node.textValue()));
            default -> budget.add(0, node.asText().length());
        }
    }

    /** Bytes of {@code text} as a JSON string in UTF-8, escaped as Jackson writes it. */
    static long jsonStringBytes(String text) {
        long bytes = 2;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\' || c == '\b' || c == '\t' || c == '\n' || c == '\f' || c == '\r') {
                bytes += 2;
            } else if (c < 0x20 || Character.isSurrogate(c)) {
                // Jackson's UTF-8 writer escapes each half of a surrogate pair (COMBINE_UNICODE_SURROGATES_IN_UTF8 is off)
                bytes += 6;
            } else if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
