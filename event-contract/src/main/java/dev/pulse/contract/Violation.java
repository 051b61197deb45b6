package dev.pulse.contract;

/** Control flow for the first rule a validator finds broken; carries no stack trace. */
final class Violation extends RuntimeException {
    final String field;
    final String reason;

    Violation(String field, String reason) {
        super(field + ": " + reason, null, false, false);
        this.field = field;
        this.reason = reason;
    }
}
