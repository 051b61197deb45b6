package dev.pulse.ingest.rest;

import dev.pulse.contract.problem.ProblemException;
import dev.pulse.contract.problem.Bearer;
import dev.pulse.ingest.config.IngestConfig;
import dev.pulse.ingest.domain.AppKeys;
import dev.pulse.ingest.domain.NewApp;
import dev.pulse.ingest.service.AppService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;


/** SPEC §1 admin endpoints, guarded by the admin token from config. */
@Path("/v1/admin/apps")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {
    private final AppService apps;
    private final IngestConfig config;

    public AdminResource(AppService apps, IngestConfig config) {
        this.apps = apps;
        this.config = config;
    }

    @POST
    @Operation(summary = "Create an app", description = "Answers 201 with the app's write key and read token, shown only now; 409 if it exists.")
    public Uni<Response> create(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, NewApp app) {
        requireAdmin(authorization);
        return apps.create(app).map(keys -> Response.status(Response.Status.CREATED).entity(keys).build());
    }

    @POST
    @Path("/{app}/rotate")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Rotate an app's keys", description = "The old keys stop working within seconds.")
    public Uni<AppKeys> rotate(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("app") String app) {
        requireAdmin(authorization);
        return apps.rotate(app);
    }

    private void requireAdmin(String authorization) {
        Bearer.requireAdmin(config.admin().token(), authorization, "pulse.ingest.admin.token");
    }
}
