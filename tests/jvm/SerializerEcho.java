import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import logstorm.storm.MsgpackSerializer;
import org.apache.storm.multilang.BoltMsg;
import org.apache.storm.multilang.ShellMsg;
import org.apache.storm.multilang.SpoutMsg;

/**
 * Drives logstorm.storm.MsgpackSerializer the way ShellBolt and ShellSpout do, over this
 * process's stdin and stdout, for tests/test_msgpack_serializer.py: every message read is
 * answered with a BoltMsg describing what Storm would see (each field, and the Java type of
 * every value), a heartbeat as ShellBolt sends it, a SpoutMsg acking its id, and a list of task
 * ids. A message the serializer
 * refuses ends the process with its error on stderr and exit code 3.
 */
public class SerializerEcho {
    public static void main(String[] args) throws Exception {
        MsgpackSerializer serializer = new MsgpackSerializer();
        serializer.initialize(System.out, System.in);
        while (true) {
            ShellMsg msg;
            try {
                msg = serializer.readShellMsg();
            } catch (Exception e) {
                System.err.println(e.getClass().getSimpleName() + ": " + e.getMessage());
                System.exit(3);
                return;
            }
            Map<String, Object> seen = new LinkedHashMap<>();
            seen.put("command", msg.getCommand());
            seen.put("id", msg.getId());
            seen.put("id_type", typeOf(msg.getId()));
            seen.put("stream", msg.getStream());
            seen.put("task", msg.getTask());
            seen.put("need_task_ids", msg.areTaskIdsNeeded());
            seen.put("tuple", msg.getTuple());
            seen.put("tuple_types", typeOf(msg.getTuple()));
            seen.put("anchors", msg.getAnchors());
            seen.put("msg", msg.getMsg());
            seen.put("level", msg.getLogLevel() == null ? null : msg.getLogLevel().name());
            seen.put("metric", Arrays.asList(msg.getMetricName(), msg.getMetricParams()));
            BoltMsg echo = new BoltMsg();
            echo.setId("echo-" + msg.getCommand());
            echo.setComp("echo");
            echo.setStream("default");
            echo.setTask(1L << 40);
            echo.setTuple(Arrays.asList(seen, new byte[] {0, (byte) 0xff}, 2.5, true, null));
            serializer.writeBoltMsg(echo);
            BoltMsg heartbeat = new BoltMsg();  // as ShellBolt makes one: no component
            heartbeat.setId("-1");
            heartbeat.setStream("__heartbeat");
            heartbeat.setTask(-1);
            heartbeat.setTuple(new ArrayList<>());
            serializer.writeBoltMsg(heartbeat);
            SpoutMsg ack = new SpoutMsg();
            ack.setCommand("ack");
            ack.setId(msg.getId());
            serializer.writeSpoutMsg(ack);
            serializer.writeTaskIds(Arrays.asList(3, 7));
        }
    }

    private static Object typeOf(Object value) {
        if (value instanceof List) {
            List<Object> types = new ArrayList<>();
            for (Object item : (List<?>) value) {
                types.add(typeOf(item));
            }
            return types;
        }
        if (value instanceof Map) {
            Map<Object, Object> types = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                types.put(typeOf(entry.getKey()) + ":" + entry.getKey(), typeOf(entry.getValue()));
            }
            return types;
        }
        return value == null ? "null" : value.getClass().getSimpleName();
    }
}
