package dev.pulse.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.time.Instant;

/**
 * The rules of a content catalog record ({@code PUT /v1/catalog/content/{content_id}}): the same accepted values
 * as events ({@link Limits}), so that enrichment can store every record it joins.
 */
public final class ContentValidator {
    private ContentValidator() {
    }

    public static ContentValidation validate(String appId, String contentId, JsonNode body) {
        try {
            String id = JsonFields.identifier(contentId == null ? null : TextNode.valueOf(contentId), "content_id", true);
            if (body == null || !body.isObject()) {
                throw new Violation("body", "must be a JSON object");
            }
            JsonTree.checkStorable(body, "");
            Instant publishTs = JsonFields.instant(body.get("publish_ts"), "publish_ts", Limits.EARLIEST_PUBLISH_TS, Limits.LATEST_PUBLISH_TS);
            return new ContentValidation.Valid(new ContentMetadata(appId, id,
                    JsonFields.text(body.get("title"), "title", Limits.MAX_TITLE_LENGTH),
                    JsonFields.text(body.get("content_type"), "content_type", Limits.MAX_ID_LENGTH),
                    JsonFields.integer(body.get("length_seconds"), "length_seconds", 0, Limits.MAX_LENGTH_SECONDS),
                    publishTs));
        } catch (Violation v) {
            return new ContentValidation.Invalid(v.field, v.reason);
        }
    }
}
