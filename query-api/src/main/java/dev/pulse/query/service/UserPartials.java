package dev.pulse.query.service;

import dev.pulse.query.domain.Partial;
import dev.pulse.query.domain.RollupTotals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The partials of every (group, user) of a query over some days, as read from the rollup. Distinct users over
 * several days do not add up, these do: the answer over the whole range is the merge of its parts.
 */
public final class UserPartials implements ClosedDayCache.Weighted {
    private record Key(List<Object> group, Object user) {
    }

    public static final UserPartials NONE = new UserPartials(Map.of());

    private final Map<Key, Object[]> entries;

    private UserPartials(Map<Key, Object[]> entries) {
        this.entries = entries;
    }

    /** Rows of {@code d0..dn, user_id, partials...} with the partials in the order of {@code fetched}. */
    public static UserPartials of(List<List<Object>> rows, int dimensions, List<Partial> fetched) {
        Map<Key, Object[]> entries = HashMap.newHashMap(rows.size());
        for (List<Object> row : rows) {
            Object[] values = new Object[Partial.values().length];
            for (int i = 0; i < fetched.size(); i++) {
                values[fetched.get(i).ordinal()] = row.get(dimensions + 1 + i);
            }
            entries.merge(new Key(new ArrayList<>(row.subList(0, dimensions)), row.get(dimensions)), values, UserPartials::merge);
        }
        return new UserPartials(entries);
    }

    /** Per group, its users' partials summed, over the days of this part and of {@code other} (disjoint days). */
    public Map<List<Object>, RollupTotals> totals(UserPartials other) {
        Map<List<Object>, RollupTotals> groups = new LinkedHashMap<>();
        Map<Key, Object[]> rest = new HashMap<>(other.entries);
        entries.forEach((key, values) -> {
            Object[] more = rest.remove(key);
            add(groups, key, more == null ? values : merge(values, more));
        });
        rest.forEach((key, values) -> add(groups, key, values));
        return groups;
    }

    private static void add(Map<List<Object>, RollupTotals> groups, Key key, Object[] values) {
        groups.computeIfAbsent(key.group(), g -> new RollupTotals()).add(values);
    }

    private static Object[] merge(Object[] a, Object[] b) {
        Object[] merged = new Object[a.length];
        for (int i = 0; i < a.length; i++) {
            merged[i] = Partial.merge(a[i], b[i]);
        }
        return merged;
    }

    @Override
    public int weight() {
        return entries.size();
    }
}
