package dev.pulse.contract;

/** Outcome of {@link EventValidator#validate}. */
public sealed interface Validation {

    record Valid(Event event) implements Validation {
    }

    /**
     * @param field  JSON path of the field at fault, e.g. {@code properties.post_id}
     * @param reason short machine-friendly reason, e.g. {@code required}
     */
    record Invalid(String field, String reason) implements Validation {
        public String message() {
            return field + ": " + reason;
        }

        /** The field this violation is counted under: bounded, whatever keys the client chose. */
        public String family() {
            return EventValidator.family(field);
        }
    }
}
