package logstorm.storm;

import java.util.Map;
import org.apache.storm.flux.wrappers.spouts.FluxShellSpout;
import org.apache.storm.spout.SpoutOutputCollector;
import org.apache.storm.task.TopologyContext;

/**
 * Flux's shell spout, minus the shutdown race that {@link ShutdownSafeShellBolt} describes.
 *
 * <p>The executor thread can outlive Storm's 100 ms wait at shutdown and call {@code nextTuple},
 * {@code ack} or {@code fail} after {@link #close()} destroyed the Python process; ShellSpout then
 * throws on the closed pipe and the executor halts the JVM. Once closed, this spout ends those
 * calls the way Storm ends an interrupted executor thread ({@link ShutdownGuard}): nothing can
 * reach the process any more, and whatever it had not seen acked is replayed from its committed
 * position on the next run. Before close it is FluxShellSpout, but for the
 * {@link ShutdownWatchdog} it installs.
 */
public class ShutdownSafeShellSpout extends FluxShellSpout {
    private final ShutdownGuard guard = new ShutdownGuard();

    public ShutdownSafeShellSpout(String[] command) {
        super(command);
    }

    public ShutdownSafeShellSpout(String[] command, String[] outputFields) {
        super(command, outputFields);
    }

    @Override
    public void open(Map<String, Object> topoConf, TopologyContext context, SpoutOutputCollector collector) {
        ShutdownWatchdog.install();
        super.open(topoConf, context, collector);
    }

    @Override
    public void nextTuple() {
        guard.unlessShutDown(super::nextTuple);
    }

    @Override
    public void ack(Object msgId) {
        guard.unlessShutDown(() -> super.ack(msgId));
    }

    @Override
    public void fail(Object msgId) {
        guard.unlessShutDown(() -> super.fail(msgId));
    }

    @Override
    public void close() {
        guard.shutDown();
        super.close();
    }
}
