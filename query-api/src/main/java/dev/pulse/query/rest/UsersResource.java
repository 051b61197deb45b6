package dev.pulse.query.rest;

import dev.pulse.query.domain.UserProfile;
import dev.pulse.query.security.ReadAccess;
import dev.pulse.query.security.ReadTokenMechanism;
import dev.pulse.query.service.InputLimits;
import dev.pulse.query.service.UserService;
import dev.pulse.web.security.Roles;
import io.quarkus.vertx.http.runtime.security.annotation.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import java.time.LocalDate;
import java.time.YearMonth;

@Path("/v1/users/{user_id}")
@HttpAuthenticationMechanism(ReadTokenMechanism.SCHEME)
@RolesAllowed(Roles.READER)
@SecurityRequirement(name = "read-token")
public class UsersResource {
    private static final String EXAMPLE = """
            {"app": "demo", "user_id": "42",
             "traits": {"gender": 1, "age": 31, "os": "Android", "source": "ads", "country": "FR", "city": "Lyon", "exp_group": 2,
                        "since": "2026-10-02T08:15:31.120Z"},
             "first_seen": "2026-10-02T08:15:31.120Z", "last_seen": "2026-11-20T19:42:11Z", "month": "2026-11",
             "active_dates": ["2026-11-03", "2026-11-20"], "l7": 1, "l28": 2,
             "devices": [{"device": "phone", "browser": "Chrome", "first_active": "2026-10-02", "last_active": "2026-11-20", "active_days": 9}],
             "messenger": {"from": "2026-10-25", "to": "2026-11-21", "messages_sent": 4, "messages_received": 3, "sent_to": 2,
                           "received_from": 1, "avg_seconds_between_sent": 95.5, "avg_seconds_between_received": null,
                           "top_connections": [{"user_id": "7", "sent": 3, "received": 3}, {"user_id": "9", "sent": 1, "received": 0}]}}""";

    private final ReadAccess access;
    private final UserService users;

    public UsersResource(ReadAccess access, UserService users) {
        this.access = access;
        this.users = users;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One user", description = "Current traits, first and last seen, active dates of the month, L7/L28, devices, and messenger cadence"
            + " and connections over the 28 days ending today (as L28): messages sent and received, distinct users written to and"
            + " heard from, mean seconds between consecutive messages within a day, the 10 users exchanged with most."
            + " Example: /v1/users/42?app=demo&month=2026-11")
    @APIResponse(responseCode = "200", description = "The user; traits null without current traits, last_seen null without an active day",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = UserProfile.class),
                    examples = @ExampleObject(name = "a user", value = EXAMPLE)))
    @APIResponse(responseCode = "400", description = "Bad user_id or month; names the field")
    @APIResponse(responseCode = "401", description = "Missing or unknown read token")
    @APIResponse(responseCode = "404", description = "The token is not one of this app, or no such user in the app")
    public Uni<UserProfile> user(@PathParam("user_id") String userId, @QueryParam("app") String app, @QueryParam("month") String month) {
        return access.app(app).flatMap(a -> {
            InputLimits.text(userId, "user_id");
            LocalDate today = LocalDate.now(a.zone());
            YearMonth ym = month == null ? YearMonth.from(today) : InputLimits.month(month, "month");
            return users.profile(a, userId, ym, today);
        });
    }
}
