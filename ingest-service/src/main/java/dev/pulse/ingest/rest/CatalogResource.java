package dev.pulse.ingest.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.contract.ContentMetadata;
import dev.pulse.contract.ContentValidation;
import dev.pulse.contract.ContentValidator;
import dev.pulse.ingest.domain.ContentUpdate;
import dev.pulse.ingest.messaging.CatalogProducer;
import dev.pulse.ingest.security.WriteKeyIdentityProvider;
import dev.pulse.ingest.security.WriteKeyMechanism;
import dev.pulse.web.problem.ProblemException;
import dev.pulse.web.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.annotation.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/** Upserts the content catalog that enrichment joins against (SPEC §2), with the accepted values of SPEC §8. */
@Path("/v1/catalog/content/{content_id}")
@HttpAuthenticationMechanism(WriteKeyMechanism.SCHEME)
@RolesAllowed(Roles.WRITER)
@SecurityRequirement(name = "write-key")
public class CatalogResource {
    private final SecurityIdentity identity;
    private final CatalogProducer producer;

    public CatalogResource(SecurityIdentity identity, CatalogProducer producer) {
        this.identity = identity;
        this.producer = producer;
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Upsert content metadata", description = "Later events of this content are enriched with it.")
    @APIResponse(responseCode = "400", description = "A field outside the accepted values; the problem names it")
    public Uni<ContentMetadata> upsert(@PathParam("content_id") String contentId,
            @RequestBody(content = @Content(schema = @Schema(implementation = ContentUpdate.class))) JsonNode body) {
        return switch (ContentValidator.validate(WriteKeyIdentityProvider.app(identity).appId(), contentId, body)) {
            case ContentValidation.Invalid invalid -> throw ProblemException.badRequest(invalid.message(), invalid.field());
            case ContentValidation.Valid valid -> producer.publish(valid.content()).replaceWith(valid.content());
        };
    }
}
