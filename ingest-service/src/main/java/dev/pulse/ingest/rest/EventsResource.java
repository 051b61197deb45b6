package dev.pulse.ingest.rest;

import dev.pulse.ingest.domain.App;
import dev.pulse.ingest.security.WriteKeyIdentityProvider;
import dev.pulse.ingest.security.WriteKeyMechanism;
import dev.pulse.ingest.service.BodyDecoder;
import dev.pulse.ingest.service.EventIds;
import dev.pulse.ingest.service.IngestService;
import dev.pulse.web.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.annotation.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

import java.time.Instant;

@Path("/v1/events")
@HttpAuthenticationMechanism(WriteKeyMechanism.SCHEME)
@RolesAllowed(Roles.WRITER)
@SecurityScheme(securitySchemeName = "write-key", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "An app write key: Authorization: Bearer <write key>")
@SecurityRequirement(name = "write-key")
public class EventsResource {
    private final SecurityIdentity identity;
    private final BodyDecoder decoder;
    private final IngestService ingest;

    public EventsResource(SecurityIdentity identity, BodyDecoder decoder, IngestService ingest) {
        this.identity = identity;
        this.decoder = decoder;
        this.ingest = ingest;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Send events", description = "One event, a JSON array, {\"batch\": [...], \"sent_at\": ...} or NDJSON; gzip accepted. "
            + "With an Idempotency-Key header (1-255 printable ASCII characters), the ids Pulse generates for events without event_id "
            + "derive from it, so resending the same request never counts an event twice.")
    @APIResponse(responseCode = "202", description = "Every accepted event is durably in Kafka")
    @APIResponse(responseCode = "400", description = "Unparseable body, no valid event, sent_at too far from the receive time, or a bad Idempotency-Key")
    @APIResponse(responseCode = "401", description = "Missing or unknown write key")
    @APIResponse(responseCode = "413", description = "Body over 1 MiB or over 1,000 events")
    @APIResponse(responseCode = "415", description = "Unsupported Content-Type or Content-Encoding")
    @APIResponse(responseCode = "429", description = "Rate limit; see Retry-After")
    @APIResponse(responseCode = "503", description = "Kafka cannot take the events; resend later")
    public Uni<Response> send(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(HttpHeaders.CONTENT_ENCODING) String contentEncoding,
            @HeaderParam(EventIds.HEADER) String idempotencyKey,
            byte[] body) {
        Instant receivedAt = Instant.now();
        App app = WriteKeyIdentityProvider.app(identity);
        return ingest.ingest(app, decoder.decode(body == null ? new byte[0] : body, contentType, contentEncoding), receivedAt,
                EventIds.forRequest(app.appId(), idempotencyKey, receivedAt))
                .map(result -> Response.accepted(result).build());
    }
}
