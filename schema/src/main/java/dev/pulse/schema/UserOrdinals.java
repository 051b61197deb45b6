package dev.pulse.schema;

/**
 * How a row's user's ordinal (V33 user_ordinals) is read, in aggregate-service's day state and query-api's answers
 * alike: one probe of the table's key per row, whatever the planner's statistics say. As a LEFT JOIN with the app as
 * a constant, the day of an app the statistics do not know yet (a new app) was planned as one row on each side, and
 * every row read all of the app's ordinals: 6 s instead of 24 ms for a day of 10,000 users, growing with the square of
 * its users (bench/RESULTS.md, issue 15). Correlated on a column of the row, not the bound app: compared with a
 * constant the statistics know no rows of, the probe may still take the (app_id, ordinal) index and filter the app's
 * ordinals by user.
 */
public final class UserOrdinals {
    private UserOrdinals() {
    }

    /** The ordinal of the user in column {@code user} of the app in column {@code app}, null while it has none. */
    public static String of(String app, String user) {
        return "(SELECT o.ordinal FROM user_ordinals o WHERE o.app_id = " + app + " AND o.user_id = " + user + ")";
    }
}
