package dev.pulse.contract;

/** Outcome of {@link ContentValidator#validate}. */
public sealed interface ContentValidation {

    record Valid(ContentMetadata content) implements ContentValidation {
    }

    /** @param field the field at fault: {@code content_id} (the URL's) or a body field such as {@code title} */
    record Invalid(String field, String reason) implements ContentValidation {
        public String message() {
            return field + ": " + reason;
        }
    }
}
