package dev.pulse.query.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.LocalDate;

/** A post's figures on one app-local day ({@code date}) or over a whole range ({@code date} null, left out). */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PostDay(@JsonInclude(JsonInclude.Include.NON_NULL) LocalDate date, long views, long viewers, long likes, long likers, double ctr, Double avgViewToLikeSeconds) {
    public static PostDay of(LocalDate date, long views, long viewers, long likes, long likers, Double avgViewToLikeSeconds) {
        return new PostDay(date, views, viewers, likes, likers, views == 0 ? 0 : (double) likes / views, avgViewToLikeSeconds);
    }
}
