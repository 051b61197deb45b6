package dev.pulse.contract;

/**
 * What PostgreSQL text and JSONB can keep: no NUL (U+0000) and only well-formed UTF-16 (an unpaired surrogate has
 * no UTF-8 form). Also makes text that Pulse writes itself (error messages naming client keys) storable.
 */
public final class StorableText {
    private StorableText() {
    }

    /** @return why {@code text} cannot be stored, or null when it can */
    public static String problem(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                return "must not contain NUL (U+0000)";
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "must not contain an unpaired surrogate";
            }
        }
        return null;
    }

    /** {@code text} with control characters and unpaired surrogates written as {@code \\uXXXX}. */
    public static String escape(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
            boolean unsafe = !pair && (Character.isISOControl(c) || Character.isSurrogate(c));
            if (unsafe && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                if (unsafe) {
                    out.append(String.format("\\u%04X", (int) c));
                } else {
                    out.append(c);
                    if (pair) {
                        out.append(text.charAt(++i));
                    }
                }
            } else if (pair) {
                i++;
            }
        }
        return out == null ? text : out.toString();
    }

    /** At most {@code max} characters of {@code text}, never half a surrogate pair, marked when cut. */
    public static String truncate(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end) + "…(" + (text.length() - end) + " more characters)";
    }
}
