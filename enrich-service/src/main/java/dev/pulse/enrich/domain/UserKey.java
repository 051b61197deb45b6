package dev.pulse.enrich.domain;

public record UserKey(String appId, String userId) {
}
