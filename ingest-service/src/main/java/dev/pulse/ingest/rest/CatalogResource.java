package dev.pulse.ingest.rest;

import dev.pulse.contract.problem.ProblemException;
import dev.pulse.contract.ContentMetadata;
import dev.pulse.ingest.domain.ContentUpdate;
import dev.pulse.ingest.messaging.CatalogProducer;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Upserts the content catalog that enrichment joins against (SPEC §2). */
@Path("/v1/catalog/content/{content_id}")
public class CatalogResource {
    private final WriteKeyAuthenticator auth;
    private final CatalogProducer producer;

    public CatalogResource(WriteKeyAuthenticator auth, CatalogProducer producer) {
        this.auth = auth;
        this.producer = producer;
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Upsert content metadata", description = "Later events of this content are enriched with it.")
    public Uni<ContentMetadata> upsert(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @PathParam("content_id") String contentId, ContentUpdate update) {
        if (contentId.isEmpty() || contentId.length() > 128) {
            throw ProblemException.badRequest("content_id must be 1-128 characters", "content_id");
        }
        if (update == null) {
            throw ProblemException.badRequest("body is required", null);
        }
        if (update.lengthSeconds() != null && update.lengthSeconds() < 0) {
            throw ProblemException.badRequest("length_seconds must be >= 0", "length_seconds");
        }
        return auth.authenticate(authorization).flatMap(app -> {
                    ContentMetadata content = new ContentMetadata(app.appId(), contentId, update.title(),
                            update.contentType(), update.lengthSeconds(),
                            update.publishTs() == null ? null : update.publishTs().toInstant());
                    return producer.publish(content).replaceWith(content);
                });
    }
}
