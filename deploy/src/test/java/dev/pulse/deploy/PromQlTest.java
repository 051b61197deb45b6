package dev.pulse.deploy;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PromQlTest {

    @Test
    void findsSelectorsMatchersAndGroupingLabels() {
        PromQl.Names names = PromQl.parse("""
                sum by (app) (increase(pulse_ingest_events_rejected_total{reason!="payload", app=~"a|b"}[15m] offset 1h))
                  / ignoring(x) (1e3 + sum without(instance) (rate(http_server_requests_seconds_count[$__rate_interval]))) > 0.05
                  unless {__name__=~"pulse_.+_total"} and on() vector(1)""");
        assertEquals(List.of(
                new PromQl.Selector("pulse_ingest_events_rejected_total", Map.of("reason", "payload", "app", "a|b")),
                new PromQl.Selector("http_server_requests_seconds_count", Map.of()),
                new PromQl.Selector(null, Map.of("__name__", "pulse_.+_total"))), names.selectors());
        assertEquals(Set.of("app", "x", "instance"), names.groupingLabels());
    }

    @Test
    void aSubqueryAndADurationAreNoMetrics() {
        assertEquals(List.of(new PromQl.Selector("kafka_consumer_fetch_manager_records_lag", Map.of())),
                PromQl.parse("deriv(sum(kafka_consumer_fetch_manager_records_lag)[10m:1m]) > 0").selectors());
    }
}
