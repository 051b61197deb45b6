package dev.pulse.query.rest;

import dev.pulse.contract.problem.ProblemException;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;

/** Query-string values, parsed or refused with the parameter's name. */
final class Params {
    private Params() {
    }

    static LocalDate date(String value, String name) {
        if (value == null) {
            throw ProblemException.badRequest(name + " is required (YYYY-MM-DD)", name);
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest(name + " must be a date YYYY-MM-DD", name);
        }
    }

    static YearMonth month(String value, String name) {
        if (value == null) {
            throw ProblemException.badRequest(name + " is required (YYYY-MM)", name);
        }
        try {
            return YearMonth.parse(value);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest(name + " must be a month YYYY-MM", name);
        }
    }
}
