package dev.pulse.query.service;

import dev.pulse.web.problem.ProblemException;
import dev.pulse.query.domain.App;
import dev.pulse.query.domain.Messenger;
import dev.pulse.query.domain.UserProfile;
import dev.pulse.query.repository.MessengerRepository;
import dev.pulse.query.repository.UserRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.time.YearMonth;

/** One user as of today: a 404 for a user the app never saw; messenger figures over the 28 days ending today (as L28). */
@ApplicationScoped
public class UserService {
    private final UserRepository users;
    private final MessengerRepository messenger;

    public UserService(UserRepository users, MessengerRepository messenger) {
        this.users = users;
        this.messenger = messenger;
    }

    public Uni<UserProfile> profile(App app, String userId, YearMonth month, LocalDate today) {
        Uni<Messenger> messages = messenger.of(app.appId(), userId, today.minusDays(27).datesUntil(today.plusDays(1)).toList());
        return Uni.combine().all().unis(users.traits(app.appId(), userId), users.firstSeen(app.appId(), userId),
                users.activity(app.appId(), userId, month.atDay(1), month.atEndOfMonth(), today), messages).asTuple().flatMap(found -> {
            String firstSeen = found.getItem2().orElseThrow(
                    () -> new ProblemException(404, "Not Found", "no user " + userId + " in app " + app.appId(), "user_id", null, null));
            UserRepository.Activity activity = found.getItem3();
            Uni<String> lastSeen = activity.lastDay() == null ? Uni.createFrom().nullItem() : users.lastSeen(app.appId(), userId, activity.lastDay());
            return lastSeen.map(last -> new UserProfile(app.appId(), userId, found.getItem1().orElse(null), firstSeen, last, month.toString(),
                    activity.activeDates(), activity.l7(), activity.l28(), activity.devices(), found.getItem4()));
        });
    }
}
