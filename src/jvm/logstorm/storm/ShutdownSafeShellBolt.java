package logstorm.storm;

import java.util.Map;
import org.apache.storm.flux.wrappers.bolts.FluxShellBolt;
import org.apache.storm.task.OutputCollector;
import org.apache.storm.task.TopologyContext;
import org.apache.storm.tuple.Tuple;

/**
 * Flux's shell bolt, minus a shutdown race that halts a local run with exit code 1.
 *
 * <p>When a worker shuts down, Storm 2.8's {@code ExecutorShutdown} interrupts each executor
 * thread, waits for it at most 100 ms, and then calls {@link #cleanup()}, which destroys the
 * Python process. An executor thread still draining a batch of its queue (likely on a busy
 * machine) then hands the next tuple to {@code ShellBolt.execute}. By then the bolt's writer or
 * reader thread has usually failed on the closed pipe ("Stream Closed", "Acked a non-existent
 * id", "Pipe to subprocess seems to be broken") and recorded that as the bolt's death, so
 * {@code execute} rethrows it; the executor's {@code ReportErrorAndDie} cannot report it to the
 * already closed ZooKeeper client and halts the JVM.
 *
 * <p>Once cleanup began, this bolt ends such a call the way Storm ends an interrupted executor
 * thread (see {@link ShutdownGuard}): the tuple is not processed, since the topology is going away
 * and the Python process is gone, and an input never acked is replayed by a reliable spout when
 * the topology runs again. Before cleanup it is FluxShellBolt, unchanged, but for the
 * {@link ShutdownWatchdog} it installs. The compatibility layer
 * substitutes it for FluxShellBolt in the Flux YAML of {@code sparse run} (see
 * compat/streamparse_storm2/shutdown_safe_flux.py).
 */
public class ShutdownSafeShellBolt extends FluxShellBolt {
    private final ShutdownGuard guard = new ShutdownGuard();

    public ShutdownSafeShellBolt(String[] command) {
        super(command);
    }

    public ShutdownSafeShellBolt(String[] command, String[] outputFields) {
        super(command, outputFields);
    }

    @Override
    public void prepare(Map<String, Object> topoConf, TopologyContext context, OutputCollector collector) {
        ShutdownWatchdog.install();
        super.prepare(topoConf, context, collector);
    }

    @Override
    public void execute(Tuple input) {
        guard.unlessShutDown(() -> super.execute(input));
    }

    @Override
    public void cleanup() {
        guard.shutDown();
        super.cleanup();
    }
}
