package dev.pulse.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.testing.PulseInfrastructure;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The served OpenAPI document: every API operation names its credential and the schema of its answer. */
@QuarkusTest
@WithTestResource(PulseInfrastructure.WithoutKafka.class)
class OpenApiIT {

    @Test
    void everyOperationNamesTheReadTokenAndItsAnswersSchema() throws IOException {
        JsonNode doc = new ObjectMapper().readTree(given().queryParam("format", "json").when().get("/q/openapi")
                .then().statusCode(200).extract().asString());
        JsonNode scheme = doc.at("/components/securitySchemes/read-token");
        assertEquals("http", scheme.path("type").asText(), doc.at("/components/securitySchemes").toString());
        assertEquals("bearer", scheme.path("scheme").asText());
        List<String> problems = new ArrayList<>();
        int operations = 0;
        for (var path = doc.path("paths").fields(); path.hasNext(); ) {
            var entry = path.next();
            if (!entry.getKey().startsWith("/v1/")) {
                continue;
            }
            for (var operation = entry.getValue().fields(); operation.hasNext(); ) {
                var op = operation.next();
                operations++;
                String name = op.getKey().toUpperCase() + " " + entry.getKey();
                if (!op.getValue().path("security").toString().contains("read-token")) {
                    problems.add(name + ": no read-token security requirement");
                }
                JsonNode ok = op.getValue().at("/responses/200/content/application~1json/schema");
                if (ok.isMissingNode() || (ok.path("$ref").isMissingNode() && ok.path("type").isMissingNode())) {
                    problems.add(name + ": no schema for its 200 answer");
                }
            }
        }
        assertFalse(operations < 9, "the nine /v1 operations of query-api, found " + operations);
        assertEquals(List.of(), problems);
    }
}
