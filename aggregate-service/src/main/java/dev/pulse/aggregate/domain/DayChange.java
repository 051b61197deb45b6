package dev.pulse.aggregate.domain;

import dev.pulse.aggregate.domain.DayState.Key;
import dev.pulse.aggregate.domain.DayState.Value;
import org.roaringbitmap.RoaringBitmap;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What a batch of late events changes in one closed app-day's state: the rollup rows of the day's late users before
 * and after the batch (folded as a {@link DayState} each), who those users are and for which of them it is now the
 * first day. A user's share of every value is exactly their own rows, so replacing their share before with their
 * share after turns a state current before the batch into the state a rebuild after it would give.
 */
public record DayChange(DayState before, DayState after, RoaringBitmap users, RoaringBitmap firstUsers) {
    private static final Value NONE = new Value();

    /** The values the change touches: those the users had a share of before or have after. */
    public Set<Key> keys() {
        Set<Key> keys = new LinkedHashSet<>(before.values().keySet());
        keys.addAll(after.values().keySet());
        return keys;
    }

    /**
     * The touched values as they are after the change, from {@code stored} (the state's rows of {@link #keys()}; a key
     * it lacks had no users): null for a value left without users, which a rebuild would not have.
     */
    public Map<Key, Value> apply(Map<Key, Value> stored) {
        Map<Key, Value> changed = new LinkedHashMap<>();
        for (Key key : keys()) {
            Value value = stored.getOrDefault(key, NONE).changed(users, before.values().getOrDefault(key, NONE),
                    after.values().getOrDefault(key, NONE));
            changed.put(key, value.users.isEmpty() ? null : value);
        }
        return changed;
    }

    /** The day's first users after the change, from those {@code stored}. */
    public RoaringBitmap firstUsers(RoaringBitmap stored) {
        return RoaringBitmap.or(RoaringBitmap.andNot(stored, users), firstUsers);
    }
}
