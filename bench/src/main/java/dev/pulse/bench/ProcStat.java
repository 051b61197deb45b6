package dev.pulse.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's or thread's line of /proc ({@code /proc/<pid>/stat}, {@code /proc/<pid>/task/<tid>/stat}): its name, its
 * CPU time, and that of its children that ended and it waited for.
 */
record ProcStat(String name, long ticks, long endedChildrenTicks) {
    /** /proc's times are in clock ticks (USER_HZ, 100 on Linux). */
    static final long TICKS_PER_SECOND = 100;

    static ProcStat read(Path stat) throws IOException {
        String line = Files.readString(stat);
        // "pid (name) state ...": the name may hold spaces and parentheses, so the fields are counted from its last ')'
        int end = line.lastIndexOf(')');
        String[] fields = line.substring(end + 2).split(" ");
        // utime and stime, the 14th and 15th fields of the line, the 12th and 13th after the name; then cutime and cstime
        return new ProcStat(line.substring(line.indexOf('(') + 1, end), Long.parseLong(fields[11]) + Long.parseLong(fields[12]),
                Long.parseLong(fields[13]) + Long.parseLong(fields[14]));
    }
}
