package logstorm.storm;

import java.io.Serializable;

/**
 * Runs a component's calls until its shutdown began, and swallows what they throw after that.
 *
 * <p>Shared by {@link ShutdownSafeShellBolt} and {@link ShutdownSafeShellSpout}: once Storm
 * destroyed a component's Python process, a call that still reaches the component can only fail
 * on the closed pipe, and must not take the worker down with it. Before shutdown, every call runs
 * and every exception propagates as usual. Serializable, since Storm serializes the
 * components that hold it when the topology is created.
 */
final class ShutdownGuard implements Serializable {
    private static final long serialVersionUID = 1L;
    private volatile boolean shutDown;

    /** Marks the start of shutdown; call it before the component's own cleanup or close. */
    void shutDown() {
        shutDown = true;
    }

    /** Runs call unless shutdown began; an exception it throws after shutdown began is dropped. */
    void unlessShutDown(Runnable call) {
        if (shutDown) {
            return;
        }
        try {
            call.run();
        } catch (RuntimeException e) {
            if (!shutDown) {
                throw e;
            }
        }
    }
}
