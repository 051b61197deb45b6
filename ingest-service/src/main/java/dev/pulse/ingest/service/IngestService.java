package dev.pulse.ingest.service;

import dev.pulse.contract.StorableText;
import dev.pulse.web.problem.ProblemException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.contract.InvalidEvent;
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
    private final MeterRegistry registry;

    public IngestService(IngestConfig config, EventNormalizer normalizer, RateLimiter rateLimiter,
            RawEventProducer producer, InvalidEventProducer invalidProducer, MeterRegistry registry) {
        this.invalidProducer = invalidProducer;
        this.config = config;
        this.normalizer = normalizer;
        this.rateLimiter = rateLimiter;
        this.producer = producer;
        this.registry = registry;
    }

    /** The outcome so far of one request: what goes to events.raw and what was refused. */
    private record Outcome(List<RawEventProducer.Record> accepted, List<UUID> ids, List<Rejection> rejected,
            List<InvalidEvent> refused) {
        Outcome() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    public Uni<IngestResult> ingest(App app, DecodedBody body, Instant receivedAt, EventIds eventIds) {
        // every event costs, valid or not: a client sending only invalid events is limited like any other
        return rateLimiter.tryAcquire(app.appId(), body.events().size()).flatMap(wait -> {
            if (wait > 0) {
                throw ProblemException.tooManyRequests("rate limit of app " + app.appId() + " exceeded", wait);
            }
            return admitted(app, body, receivedAt, eventIds);
        });
    }

    private Uni<IngestResult> admitted(App app, DecodedBody body, Instant receivedAt, EventIds eventIds) {
        List<JsonNode> events = body.events();
        normalizer.checkSentAt(body.sentAt(), receivedAt);
        Outcome outcome = new Outcome();
        for (int i = 0; i < events.size(); i++) {
            String lineError = body.lineError(i);
            String error = lineError != null ? lineError : accept(app, events.get(i), i, body, receivedAt, eventIds, outcome);
            if (error != null) {
                // the error may quote the client's keys or bytes: it is stored as text, so it must be storable
                String storable = StorableText.escape(error);
                String reason = lineError != null ? prefix(storable) : EventValidator.family(prefix(storable));
                outcome.rejected().add(new Rejection(i, storable));
                outcome.refused().add(new InvalidEvent(app.appId(), reason, storable, payload(events.get(i)), SOURCE, -1, -1L, receivedAt));
                registry.counter("pulse.ingest.events.rejected", "app", app.appId(), "reason", reason).increment();
            }
        }
        Uni<Void> rejections = publishRejections(app, outcome.refused());
        if (outcome.accepted().isEmpty()) {
            return rejections.map(ignored -> {
                throw new ProblemException(400, "Bad Request", "no event in the request is valid", null, null, outcome.rejected());
            });
        }
        Timer.Sample sample = Timer.start(registry);
        return Uni.join().all(durably(producer.send(outcome.accepted())), rejections).andFailFast()
                .map(ignored -> {
                    sample.stop(registry.timer("pulse.ingest.kafka.produce"));
                    registry.counter("pulse.ingest.events.accepted", "app", app.appId()).increment(outcome.accepted().size());
                    return new IngestResult(outcome.accepted().size(), outcome.rejected(), outcome.ids());
                });
    }

    /** @return why the event at {@code index} is refused, or null once it is among the accepted */
    private String accept(App app, JsonNode node, int index, DecodedBody body, Instant receivedAt, EventIds eventIds, Outcome outcome) {
        return switch (EventValidator.validate(node)) {
            case Validation.Invalid invalid -> invalid.message();
            case Validation.Valid valid -> {
                EventNormalizer.EventTime time = normalizer.time(valid.event(), receivedAt, body.sentAt());
                Validation.Invalid outOfWindow = EventValidator.checkTimestamp(time.timestamp()).orElse(null);
                if (outOfWindow != null) {
                    yield outOfWindow.message() + " (after the sent_at correction)";
                }
                UUID id = valid.event().eventId() != null ? valid.event().eventId() : eventIds.generate(index);
                RawEventProducer.Record record = producer.record(normalizer.normalize(app.appId(), node, valid.event(), time, id, receivedAt));
                if (record.value().length > config.maxEventBytes() + ENVELOPE_BYTES) {
                    yield "event: larger than " + config.maxEventBytes() + " bytes";
                }
                outcome.accepted().add(record);
                outcome.ids().add(id);
                yield null;
            }
        };
    }

    /**
     * Rejections are published for the quality figures, but their fate never decides the answer: the events they
     * describe were refused either way, and a client must not resend valid events that Kafka already holds because
     * events.invalid could not take a rejection. A failure is logged and counted instead.
     */
    private Uni<Void> publishRejections(App app, List<InvalidEvent> refused) {
        return invalidProducer.send(refused).ifNoItem().after(config.produceTimeout()).fail()
                .onFailure().recoverWithItem(failure -> {
                    Log.warnf("%d rejections of app %s could not be published to events.invalid: %s", refused.size(), app.appId(),
                            failure instanceof TimeoutException ? "timed out" : failure.toString());
                    registry.counter("pulse.ingest.rejections.unpublished", "app", app.appId()).increment(refused.size());
                    return null;
                });
    }

    /** Bounded wait for Kafka's acknowledgements; past it, or on failure, a 503 that invites a resend. */
    private <T> Uni<T> durably(Uni<T> writes) {
        return writes.ifNoItem().after(config.produceTimeout()).fail().onFailure().transform(this::unavailable);
    }

    /** The refused event as sent, cut to the event size limit so that its rejection always fits a Kafka message. */
    private String payload(JsonNode event) {
        return event == null ? null : StorableText.truncate(event.toString(), config.maxEventBytes());
    }

    private Throwable unavailable(Throwable failure) {
        Log.warnf("Kafka did not take the events: %s", failure instanceof TimeoutException ? "timed out" : failure.toString());
        return ProblemException.unavailable("events could not be stored durably; nothing was accepted, retry later",
                config.unavailableRetryAfterSeconds());
    }

    /** The field part of an error. */
    private static String prefix(String error) {
        int colon = error.indexOf(':');
        return colon < 0 ? error : error.substring(0, colon);
    }
}
