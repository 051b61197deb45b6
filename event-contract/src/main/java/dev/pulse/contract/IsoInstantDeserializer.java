package dev.pulse.contract;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;

import java.io.IOException;
import java.time.Instant;

/**
 * An {@link Instant} of a topic's value: the shape {@link Instant#toString} writes is read by {@link IsoInstant},
 * anything else by Jackson's own deserializer, whose rules it keeps.
 */
public final class IsoInstantDeserializer extends StdScalarDeserializer<Instant> {
    public IsoInstantDeserializer() {
        super(Instant.class);
    }

    @Override
    public Instant deserialize(JsonParser parser, DeserializationContext context) throws IOException {
        if (parser.hasToken(JsonToken.VALUE_STRING)) {
            Instant common = IsoInstant.common(parser.getText());
            if (common != null) {
                return common;
            }
        }
        return InstantDeserializer.INSTANT.deserialize(parser, context);
    }
}
