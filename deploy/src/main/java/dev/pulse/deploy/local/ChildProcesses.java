package dev.pulse.deploy.local;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

final class ChildProcesses {
    private ChildProcesses() {
    }

    /** SIGTERM, then SIGKILL if it does not exit in time. */
    static void stop(Process process, Duration grace) throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
