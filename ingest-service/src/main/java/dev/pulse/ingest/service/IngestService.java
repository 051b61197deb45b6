package dev.pulse.ingest.service;

import dev.pulse.contract.problem.ProblemException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.InvalidEvent;
import dev.pulse.contract.RawEvent;
import dev.pulse.contract.Validation;
import dev.pulse.contract.EventValidator;
import dev.pulse.ingest.config.IngestConfig;
import dev.pulse.ingest.domain.App;
import dev.pulse.ingest.domain.IngestResult;
import dev.pulse.ingest.domain.Rejection;
import dev.pulse.ingest.messaging.InvalidEventProducer;
import dev.pulse.ingest.messaging.RawEventProducer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.TimeoutException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** SPEC §2 acceptance: validate each event, normalise it, and answer only once Kafka holds every accepted one. */
@ApplicationScoped
public class IngestService {
    /** source_topic of events refused at the edge: they never reached a topic before events.invalid. */
    private static final String SOURCE = "http:/v1/events";
    /** What ingest adds around an event (app, receive time, flags, filled-in id and time), not counted in its size. */
    private static final int ENVELOPE_BYTES = 256;
    private final IngestConfig config;
    private final EventNormalizer normalizer;
    private final RateLimiter rateLimiter;
    private final RawEventProducer producer;
    private final InvalidEventProducer invalidProducer;
    private final ObjectMapper mapper;
    private final MeterRegistry registry;

    public IngestService(IngestConfig config, EventNormalizer normalizer, RateLimiter rateLimiter,
            RawEventProducer producer, InvalidEventProducer invalidProducer, ObjectMapper mapper, MeterRegistry registry) {
        this.invalidProducer = invalidProducer;
        this.config = config;
        this.normalizer = normalizer;
        this.rateLimiter = rateLimiter;
        this.producer = producer;
        this.mapper = mapper;
        this.registry = registry;
    }

    public Uni<IngestResult> ingest(App app, DecodedBody body, Instant receivedAt) {
        List<RawEventProducer.Record> accepted = new ArrayList<>();
        List<UUID> ids = new ArrayList<>();
        List<Rejection> rejected = new ArrayList<>();
        List<InvalidEvent> refused = new ArrayList<>();
        List<JsonNode> events = body.events();
        for (int i = 0; i < events.size(); i++) {
            String error = body.lineError(i);
            if (events.get(i) != null) {
                switch (EventValidator.validate(events.get(i))) {
                    case Validation.Valid valid -> {
                        RawEvent raw = normalizer.normalize(app.appId(), events.get(i), valid.event(), receivedAt, body.sentAt());
                        RawEventProducer.Record record = producer.record(raw);
                        if (record.value().length > config.maxEventBytes() + ENVELOPE_BYTES) {
                            error = "event: larger than " + config.maxEventBytes() + " bytes";
                        } else {
                            accepted.add(record);
                            ids.add(UUID.fromString(raw.event().get("event_id").textValue()));
                        }
                    }
                    case Validation.Invalid invalid -> error = invalid.message();
                }
            }
            if (error != null) {
                rejected.add(new Rejection(i, error));
                refused.add(new InvalidEvent(app.appId(), reason(error), error, payload(events.get(i)), SOURCE, -1, -1L, receivedAt));
                registry.counter("pulse.ingest.events.rejected", "app", app.appId(), "reason", reason(error)).increment();
            }
        }
        if (accepted.isEmpty()) {
            return durably(invalidProducer.send(refused)).map(ignored -> {
                throw new ProblemException(400, "Bad Request", "no event in the request is valid", null, null, rejected);
            });
        }
        int wait = rateLimiter.tryAcquire(app.appId(), accepted.size());
        if (wait > 0) {
            throw ProblemException.tooManyRequests("rate limit of app " + app.appId() + " exceeded", wait);
        }
        Timer.Sample sample = Timer.start(registry);
        return durably(Uni.join().all(producer.send(accepted), invalidProducer.send(refused)).andFailFast())
                .map(ignored -> {
                    sample.stop(registry.timer("pulse.ingest.kafka.produce"));
                    registry.counter("pulse.ingest.events.accepted", "app", app.appId()).increment(accepted.size());
                    return new IngestResult(accepted.size(), rejected, ids);
                });
    }

    /** Bounded wait for Kafka's acknowledgements; past it, or on failure, a 503 that invites a resend. */
    private <T> Uni<T> durably(Uni<T> writes) {
        return writes.ifNoItem().after(config.produceTimeout()).fail().onFailure().transform(this::unavailable);
    }

    private String payload(JsonNode event) {
        return event == null ? null : event.toString();
    }

    private Throwable unavailable(Throwable failure) {
        Log.warnf("Kafka did not take the events: %s", failure instanceof TimeoutException ? "timed out" : failure.toString());
        return ProblemException.unavailable("events could not be stored durably; nothing was accepted, retry later",
                config.unavailableRetryAfterSeconds());
    }

    /** The field part of an error, so metrics have a bounded set of reasons. */
    private static String reason(String error) {
        int colon = error.indexOf(':');
        return colon < 0 ? error : error.substring(0, colon);
    }
}
