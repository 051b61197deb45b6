package dev.pulse.query.config;

import dev.pulse.web.problem.Problem;
import dev.pulse.query.domain.ContentDay;
import dev.pulse.query.domain.DayQuality;
import dev.pulse.query.domain.FunnelResponse;
import dev.pulse.query.domain.Messenger;
import dev.pulse.query.domain.PostDay;
import dev.pulse.query.domain.QueryResponse;
import dev.pulse.query.domain.RealtimeSnapshot;
import dev.pulse.query.domain.ResultRow;
import dev.pulse.query.domain.RetentionReport;
import dev.pulse.query.domain.UserProfile;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Types Jackson writes that REST signatures do not name directly need this in native mode. */
@RegisterForReflection(targets = {Problem.class, QueryResponse.class, ResultRow.class, RetentionReport.Cohort.class, PostDay.class,
        ContentDay.class, Messenger.class, Messenger.Connection.class, FunnelResponse.Group.class, FunnelResponse.StepFigures.class,
        DayQuality.Freshness.class, DayQuality.Closed.class, UserProfile.Traits.class, UserProfile.Device.class,
        RealtimeSnapshot.Minute.class, RealtimeSnapshot.TopContent.class, RealtimeSnapshot.TopEvent.class})
public final class NativeReflection {
    private NativeReflection() {
    }
}
