package dev.pulse.enrich.domain;

public record ContentKey(String appId, String contentId) {
}
