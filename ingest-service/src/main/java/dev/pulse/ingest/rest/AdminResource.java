package dev.pulse.ingest.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.ingest.domain.AppKeys;
import dev.pulse.ingest.domain.Categories;
import dev.pulse.ingest.domain.ErasureStatus;
import dev.pulse.ingest.domain.NewApp;
import dev.pulse.ingest.domain.Retention;
import dev.pulse.ingest.domain.Sessions;
import dev.pulse.ingest.service.AppService;
import dev.pulse.ingest.service.ErasureService;
import dev.pulse.web.security.AdminTokenMechanism;
import dev.pulse.web.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.annotation.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

import java.net.URI;


/** SPEC §1 admin endpoints, guarded by the admin token from config. */
@Path("/v1/admin/apps")
@HttpAuthenticationMechanism(AdminTokenMechanism.SCHEME)
@RolesAllowed(Roles.ADMIN)
@SecurityScheme(securitySchemeName = "admin-token", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "The admin token of ingest-service (PULSE_INGEST_ADMIN_TOKEN)")
@SecurityRequirement(name = "admin-token")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {
    private static final String ERASURE_PENDING = """
            {"erasure_id": "0193a5b2-7c1e-7a10-8f00-3c2d1e0f4a55", "app": "demo", "status": "pending",
             "requested_at": "2026-12-01T08:00:00Z", "requested_by": "admin-token:5e884898da28", "services": {}}""";
    private static final String ERASURE_COMPLETED = """
            {"erasure_id": "0193a5b2-7c1e-7a10-8f00-3c2d1e0f4a55", "app": "demo", "status": "completed",
             "requested_at": "2026-12-01T08:00:00Z", "requested_by": "admin-token:5e884898da28",
             "services": {"enrich-service": {"completed_at": "2026-12-01T08:00:01Z", "deleted_rows": {"dim_users": 2}},
                          "aggregate-service": {"completed_at": "2026-12-01T08:00:02Z",
                                                "deleted_rows": {"events": 412, "fact_user_daily": 9, "days_rebuilt": 9}}}}""";

    private final AppService apps;
    private final ErasureService erasures;
    private final SecurityIdentity identity;

    public AdminResource(AppService apps, ErasureService erasures, SecurityIdentity identity) {
        this.apps = apps;
        this.erasures = erasures;
        this.identity = identity;
    }

    @POST
    @Operation(summary = "Create an app", description = "Answers 201 with the app's write key and read token, shown only now; 409 if it exists.")
    public Uni<Response> create(NewApp app) {
        return apps.create(app).map(keys -> Response.status(Response.Status.CREATED).entity(keys).build());
    }

    @POST
    @Path("/{app}/rotate")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Rotate an app's keys", description = "The old keys stop working within seconds.")
    public Uni<AppKeys> rotate(@PathParam("app") String app) {
        return apps.rotate(app);
    }

    @DELETE
    @Path("/{app}/users/{user_id}")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Erase a user", description = """
            Deletes everything Pulse derived from the user's events: raw events, trait history, every fact, rollup and \
            cumulative row, real-time entries; facts of the days the user was active are rebuilt without them. \
            Asynchronous: answers 202 with the status URL in Location. Every call records a new erasure; repeating one is harmless.""")
    @APIResponse(responseCode = "202", description = "Recorded, and the command is durably in Kafka", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "pending", value = ERASURE_PENDING)))
    @APIResponse(responseCode = "400", description = "user_id longer than 128 characters")
    @APIResponse(responseCode = "401", description = "Missing or wrong admin token")
    @APIResponse(responseCode = "404", description = "No such app")
    @APIResponse(responseCode = "503", description = "Kafka cannot take the command; nothing was recorded")
    public Uni<Response> erase(@PathParam("app") String app,
            @PathParam("user_id") String userId) {
        return erasures.request(app, userId, identity.getPrincipal().getName()).map(status -> Response.accepted(status)
                .location(URI.create("/v1/admin/apps/" + app + "/erasures/" + status.erasureId())).build());
    }

    @GET
    @Path("/{app}/erasures/{id}")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Status of an erasure", description = "completed once enrich-service and aggregate-service have both done their part.")
    @APIResponse(responseCode = "200", description = "The audit record: who, when, rows deleted per table (no personal data)", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "completed", value = ERASURE_COMPLETED)))
    @APIResponse(responseCode = "404", description = "No such erasure of this app")
    public Uni<ErasureStatus> erasure(@PathParam("app") String app,
            @PathParam("id") String id) {
        return erasures.status(app, id);
    }

    @PUT
    @Path("/{app}/retention")
    @Operation(summary = "Set an app's retention", description = """
            Raw events, invalid events and per-user facts older than this many days (in the app's timezone) are deleted \
            by aggregate-service's retention job; null returns to the deployment's default.""")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "90 days", value = "{\"days\": 90}")))
    @APIResponse(responseCode = "200", description = "Stored", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "90 days", value = "{\"app\": \"demo\", \"days\": 90}")))
    @APIResponse(responseCode = "400", description = "days is not an integer from 1 to 3650 or null")
    @APIResponse(responseCode = "404", description = "No such app")
    public Uni<Retention> retention(@PathParam("app") String app,
            JsonNode body) {
        return apps.setRetention(app, body);
    }

    @PUT
    @Path("/{app}/sessions")
    @Operation(summary = "Set an app's session timeout", description = """
            A user's event without a session_id starts a new session when it comes more than timeout_seconds after \
            their previous such event of the day (default 1800). Sessions end at midnight in the app's timezone. \
            query-api reads the setting with the read token, so it applies to every answer, past days included, within \
            PULSE_KEY_CACHE_TTL (5 s) of the call.""")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "15 minutes",
            value = "{\"timeout_seconds\": 900}")))
    @APIResponse(responseCode = "200", description = "Stored", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "15 minutes", value = "{\"app\": \"demo\", \"timeout_seconds\": 900}")))
    @APIResponse(responseCode = "400", description = "timeout_seconds is not an integer from 60 to 86400")
    @APIResponse(responseCode = "404", description = "No such app")
    public Uni<Sessions> setSessions(@PathParam("app") String app,
            JsonNode body) {
        return apps.setSessions(app, body);
    }

    @PUT
    @Path("/{app}/categories")
    @Operation(summary = "Set an app's custom-event categories", description = """
            Replaces the map of custom event names to SPEC §2 categories (engagement, acquisition, monetization, growth, \
            other). Events enriched from then on carry the mapped category; enrich-service reads app settings at most \
            pulse.enrich.caches.app-ttl (30 s) old, so the change applies to every event enriched that long after the call. \
            Events already stored keep theirs. An unmapped custom event is other; built-in events keep SPEC's category.""")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "two events",
            value = "{\"categories\": {\"video_upload\": \"engagement\", \"invite_sent\": \"growth\"}}")))
    @APIResponse(responseCode = "200", description = "Stored", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "two events",
                    value = "{\"app\": \"demo\", \"categories\": {\"invite_sent\": \"growth\", \"video_upload\": \"engagement\"}}")))
    @APIResponse(responseCode = "400", description = "Not an object, more than 1000 entries, a malformed or built-in event name, an unknown category")
    @APIResponse(responseCode = "404", description = "No such app")
    public Uni<Categories> setCategories(@PathParam("app") String app,
            JsonNode body) {
        return apps.setCategories(app, body);
    }

    @GET
    @Path("/{app}/categories")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "An app's custom-event categories")
    @APIResponse(responseCode = "404", description = "No such app")
    public Uni<Categories> categories(@PathParam("app") String app) {
        return apps.categories(app);
    }
}
