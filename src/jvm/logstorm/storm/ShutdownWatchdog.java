package logstorm.storm;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds how long a stopping JVM may take: Storm's shell components can hold it for two minutes.
 *
 * <p>ShellSpout and ShellBolt check their Python process's heartbeat on a Guava "exiting"
 * executor, which adds a shutdown hook that waits up to 120 s for that executor to finish its
 * tasks. When the check finds the process hung, it calls {@code System.exit} from the executor's
 * own thread, so the hook waits its full 120 s for a task that cannot end: the worker (under
 * {@code sparse run}, the whole LocalCluster) stays up without the component, and any other
 * component whose pipe closes meanwhile logs its death in a loop, gigabytes in minutes. Once
 * installed, a shutdown that is still running after {@link #GRACE_MILLIS} halts the JVM with
 * {@link #HALT_STATUS}; one whose hooks end sooner (Ctrl-C on {@code sparse run} takes about
 * 2 s) exits as before.
 */
final class ShutdownWatchdog {
    static final long GRACE_MILLIS = 10_000;
    static final int HALT_STATUS = 1;
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();

    private ShutdownWatchdog() {}

    /** Arms the watchdog for this JVM's shutdown (once per JVM; later calls do nothing). */
    static void install() {
        if (!INSTALLED.compareAndSet(false, true)) {
            return;
        }
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(ShutdownWatchdog::arm, "logstorm-shutdown-watchdog"));
        } catch (IllegalStateException shuttingDown) {
            // already stopping: nothing left to bound
        }
    }

    /** Runs as a shutdown hook: returns at once, leaving a daemon thread that halts a shutdown
     * still running after the grace (daemon threads end when the JVM does). */
    private static void arm() {
        Thread halt = new Thread(() -> {
            try {
                Thread.sleep(GRACE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("logstorm: the JVM was still shutting down after " + GRACE_MILLIS / 1000
                + " s (a shell component's heartbeat hook waits up to 120 s): halted");
            Runtime.getRuntime().halt(HALT_STATUS);
        }, "logstorm-shutdown-halt");
        halt.setDaemon(true);
        halt.start();
    }
}
