package dev.pulse.ingest.service;

import dev.pulse.web.problem.ProblemException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.IsoInstant;
import dev.pulse.ingest.config.IngestConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Turns a request body into events: gzip, JSON or NDJSON, the three SPEC §2 shapes, and the size limits. */
@ApplicationScoped
public class BodyDecoder {
    private static final String JSON = "application/json";
    private static final String NDJSON = "application/x-ndjson";

    private final ObjectMapper mapper;
    private final IngestConfig config;

    public BodyDecoder(ObjectMapper mapper, IngestConfig config) {
        this.mapper = mapper;
        this.config = config;
    }

    public DecodedBody decode(byte[] body, String contentType, String contentEncoding) {
        String mediaType = mediaType(contentType);
        if (!JSON.equals(mediaType) && !NDJSON.equals(mediaType)) {
            throw ProblemException.unsupportedMediaType("Content-Type must be " + JSON + " or " + NDJSON, "Content-Type");
        }
        byte[] plain = decompress(body, contentEncoding);
        return NDJSON.equals(mediaType) ? ndjson(plain) : json(plain);
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    private byte[] decompress(byte[] body, String contentEncoding) {
        if (body.length > config.maxBodyBytes()) {
            throw tooLarge();
        }
        String encoding = contentEncoding == null ? "identity" : contentEncoding.trim().toLowerCase(Locale.ROOT);
        switch (encoding) {
            case "", "identity" -> {
                return body;
            }
            case "gzip", "x-gzip" -> {
                return gunzip(body);
            }
            default -> throw ProblemException.unsupportedMediaType("Content-Encoding must be gzip or identity", "Content-Encoding");
        }
    }

    /** Inflates at most the body limit plus one byte, so a gzip bomb costs 1 MiB of memory and stops there. */
    private byte[] gunzip(byte[] body) {
        int limit = config.maxBodyBytes();
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body), 8192)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, body.length * 4 + 64));
            byte[] buffer = new byte[8192];
            int read;
            while ((read = in.read(buffer)) != -1) {
                if (out.size() + read > limit) {
                    throw tooLarge();
                }
                out.write(buffer, 0, read);
            }
            return out.toByteArray();
        } catch (ZipException | java.io.EOFException e) {
            throw ProblemException.badRequest("body is not valid gzip: " + e.getMessage(), null);
        } catch (IOException e) {
            throw ProblemException.badRequest("body could not be read: " + e.getMessage(), null);
        }
    }

    private ProblemException tooLarge() {
        return ProblemException.tooLarge("body is larger than " + config.maxBodyBytes() + " bytes (after decompression)");
    }

    private DecodedBody json(byte[] body) {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (IOException e) {
            throw ProblemException.badRequest("body is not valid JSON: " + firstLine(e), null);
        }
        if (root == null || root.isMissingNode()) {
            throw ProblemException.badRequest("body is empty", null);
        }
        if (root.isArray()) {
            return new DecodedBody(elements(root), List.of(), null);
        }
        if (root.isObject() && root.has("batch")) {
            JsonNode batch = root.get("batch");
            if (!batch.isArray()) {
                throw ProblemException.badRequest("batch must be an array", "batch");
            }
            return new DecodedBody(elements(batch), List.of(), sentAt(root.get("sent_at")));
        }
        if (root.isObject()) {
            return new DecodedBody(List.of(root), List.of(), null);
        }
        throw ProblemException.badRequest("body must be an event, an array of events or {\"batch\": [...]}", null);
    }

    private List<JsonNode> elements(JsonNode array) {
        checkCount(array.size());
        List<JsonNode> events = new ArrayList<>(array.size());
        array.forEach(events::add);
        return events;
    }

    private DecodedBody ndjson(byte[] body) {
        String[] lines = new String(body, StandardCharsets.UTF_8).split("\r?\n");
        List<JsonNode> events = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            checkCount(events.size() + 1);
            try {
                events.add(mapper.readTree(line));
                errors.add(null);
            } catch (JsonProcessingException e) {
                events.add(null);
                errors.add("line is not valid JSON: " + firstLine(e));
            }
        }
        if (events.isEmpty()) {
            throw ProblemException.badRequest("body has no events", null);
        }
        return new DecodedBody(events, errors, null);
    }

    private void checkCount(int count) {
        if (count > config.maxEventsPerRequest()) {
            throw ProblemException.tooLarge("more than " + config.maxEventsPerRequest() + " events in one request");
        }
    }

    private static Instant sentAt(JsonNode sentAt) {
        if (sentAt == null || sentAt.isNull()) {
            return null;
        }
        try {
            return IsoInstant.parse(sentAt.asText());
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("sent_at must be an ISO-8601 timestamp with offset", "sent_at");
        }
    }

    private static String firstLine(Exception e) {
        String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        return message == null ? "unreadable" : message.lines().findFirst().orElse("unreadable");
    }
}
