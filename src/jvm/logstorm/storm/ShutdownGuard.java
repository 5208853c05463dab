package logstorm.storm;

import java.io.Serializable;

/**
 * Ends an executor's calls into a shell component cleanly once Storm began shutting it down.
 *
 * <p>Shared by {@link ShutdownSafeShellBolt} and {@link ShutdownSafeShellSpout}. Once Storm
 * destroyed a component's Python process, a call that still reaches the component can only fail
 * on the closed pipe, and ShellBolt/ShellSpout would throw that as the component's death, which
 * halts the worker. Instead, such a call throws an exception caused by an
 * {@link InterruptedException}: Storm's executor loop takes that as "interrupted" and ends the
 * thread quietly, exactly as it does for an executor thread interrupted at shutdown (a call
 * that merely returned would leave the thread looping). Before shutdown, every call runs and
 * every exception propagates unchanged. Serializable, since Storm serializes the components
 * that hold it when the topology is created.
 */
final class ShutdownGuard implements Serializable {
    private static final long serialVersionUID = 1L;
    private volatile boolean shutDown;

    /** Marks the start of shutdown; call it before the component's own cleanup or close. */
    void shutDown() {
        shutDown = true;
    }

    /** Runs call unless shutdown began; after that, ends the executor's loop instead. */
    void unlessShutDown(Runnable call) {
        if (shutDown) {
            throw stopped(null);
        }
        try {
            call.run();
        } catch (RuntimeException e) {
            throw shutDown ? stopped(e) : e;
        }
    }

    private static RuntimeException stopped(Throwable cause) {
        InterruptedException stop = new InterruptedException("shell component shut down");
        stop.initCause(cause);
        return new RuntimeException("shell component shut down", stop);
    }
}
