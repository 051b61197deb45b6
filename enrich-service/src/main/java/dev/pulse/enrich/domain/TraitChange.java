package dev.pulse.enrich.domain;

import dev.pulse.contract.UserTraits;

import java.time.Instant;

/** A new SCD2 version of a user's traits, valid from {@code validFrom}, opened by the record read at {@code source}. */
public record TraitChange(String appId, String userId, UserTraits traits, Instant validFrom, SourcePosition source) {
}
