package logstorm.storm;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.storm.multilang.BoltMsg;
import org.apache.storm.multilang.ISerializer;
import org.apache.storm.multilang.NoOutputException;
import org.apache.storm.multilang.ShellMsg;
import org.apache.storm.multilang.SpoutMsg;
import org.apache.storm.shade.net.minidev.json.JSONValue;
import org.apache.storm.task.TopologyContext;
import org.apache.storm.utils.Utils;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;

/**
 * Storm's multilang protocol in MessagePack, the Java side of pystorm's {@code MsgpackSerializer}.
 *
 * <p>Storm ships only {@code JsonSerializer}, whose messages are JSON texts each followed by a
 * line {@code end}. Here each message is one MessagePack value and needs no delimiter, as pystorm
 * writes and reads them: the same maps with the same keys ({@code command}, {@code id}, {@code
 * tuple}, {@code anchors}, ...), so a shell component behaves exactly as under JSON, minus the
 * text encoding of every tuple twice. Set {@code topology.multilang.serializer} to this class and
 * start the components with {@code -s msgpack}; the compatibility layer does both when config.json
 * says {@code "serializer": "msgpack"}.
 *
 * <p>What JSON blurs, MessagePack keeps: strings arrive as {@code String} and bytes as {@code
 * byte[]}, integers as {@code Long} (past the signed 64-bit range: {@code BigInteger}). Map keys
 * go to the process as text, as in JSON: pystorm's unpacker refuses other keys. The handshake's
 * conf and context go through their JSON form first, so a component sees them exactly as under
 * JSON.
 */
public class MsgpackSerializer implements ISerializer {
    private static final long serialVersionUID = 1L;
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final String BROKEN_PIPE = "Pipe to subprocess seems to be broken!";

    private transient MessagePacker toProcess;
    private transient MessageUnpacker fromProcess;

    @Override
    public void initialize(OutputStream processIn, InputStream processOut) {
        toProcess = new MessagePack.PackerConfig().withBufferSize(BUFFER_BYTES).newPacker(processIn);
        fromProcess = new MessagePack.UnpackerConfig().withBufferSize(BUFFER_BYTES).newUnpacker(processOut);
    }

    @Override
    public Number connect(Map<String, Object> conf, TopologyContext context) throws IOException, NoOutputException {
        Map<String, Object> setup = new HashMap<>();
        setup.put("pidDir", context.getPIDDir());
        setup.put("conf", JSONValue.parse(JSONValue.toJSONString(conf)));
        setup.put("context", JSONValue.parse(context.toJSONString()));
        pack(setup);
        toProcess.flush();
        Object reply = read();
        if (!(reply instanceof Map) || !(((Map<?, ?>) reply).get("pid") instanceof Number)) {
            throw new IOException("the shell component answered the msgpack handshake with " + reply
                + " instead of {\"pid\": <its pid>}: is it started with -s msgpack?");
        }
        return (Number) ((Map<?, ?>) reply).get("pid");
    }

    @Override
    public void writeBoltMsg(BoltMsg msg) throws IOException {
        toProcess.packMapHeader(5);  // any of these may be null, as in JSON (a tick has no comp)
        toProcess.packString("id");
        pack(msg.getId());
        toProcess.packString("comp");
        pack(msg.getComp());
        toProcess.packString("stream");
        pack(msg.getStream());
        toProcess.packString("task").packLong(msg.getTask());
        toProcess.packString("tuple");
        pack(msg.getTuple());
        toProcess.flush();
    }

    @Override
    public void writeSpoutMsg(SpoutMsg msg) throws IOException {
        toProcess.packMapHeader(2);
        toProcess.packString("command");
        pack(msg.getCommand());
        toProcess.packString("id");
        pack(msg.getId());
        toProcess.flush();
    }

    @Override
    public void writeTaskIds(List<Integer> taskIds) throws IOException {
        pack(taskIds);
        toProcess.flush();
    }

    @Override
    public ShellMsg readShellMsg() throws IOException, NoOutputException {
        Object read = read();
        if (!(read instanceof Map) || !(((Map<?, ?>) read).get("command") instanceof String)) {
            throw new IOException("expected a map with a \"command\" from the shell component, got " + read);
        }
        Map<?, ?> msg = (Map<?, ?>) read;
        ShellMsg shellMsg = new ShellMsg();
        String command = (String) msg.get("command");
        shellMsg.setCommand(command);
        shellMsg.setId(msg.get("id"));
        shellMsg.setMsg(text(msg.get("msg")));
        Object stream = msg.get("stream");
        shellMsg.setStream(stream == null ? Utils.DEFAULT_STREAM_ID : text(stream));
        Object task = msg.get("task");
        shellMsg.setTask(task instanceof Number ? ((Number) task).longValue() : 0);
        shellMsg.setNeedTaskIds(!Boolean.FALSE.equals(msg.get("need_task_ids")));
        shellMsg.setTuple(tuple(msg.get("tuple")));
        Object anchors = msg.get("anchors");
        if (anchors instanceof Collection) {
            for (Object anchor : (Collection<?>) anchors) {
                shellMsg.addAnchor(text(anchor));
            }
        } else if (anchors != null) {
            shellMsg.addAnchor(text(anchors));
        }
        Object name = msg.get("name");
        shellMsg.setMetricName(name instanceof String ? (String) name : null);
        shellMsg.setMetricParams(msg.get("params"));
        if (command.equals("log") && msg.get("level") instanceof Number) {
            shellMsg.setLogLevel(((Number) msg.get("level")).intValue());
        }
        return shellMsg;
    }

    private static String text(Object value) {
        return value == null ? null : value instanceof byte[] ? new String((byte[]) value, StandardCharsets.UTF_8) : value.toString();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> tuple(Object values) throws IOException {
        if (values == null || values instanceof List) {
            return (List<Object>) values;
        }
        throw new IOException("a tuple must be a list of values, got " + values);
    }

    /** One whole value from the process; its end of the pipe closing is a NoOutputException. */
    private Object read() throws IOException, NoOutputException {
        try {
            if (!fromProcess.hasNext()) {
                throw new NoOutputException(BROKEN_PIPE + " No output read.");
            }
            return unpack();
        } catch (MessagePackException e) {
            throw new NoOutputException(BROKEN_PIPE + " It sent no whole msgpack value: " + e.getMessage(), e);
        }
    }

    private Object unpack() throws IOException {
        MessageFormat format = fromProcess.getNextFormat();
        switch (format.getValueType()) {
            case NIL:
                fromProcess.unpackNil();
                return null;
            case BOOLEAN:
                return fromProcess.unpackBoolean();
            case INTEGER:
                if (format == MessageFormat.UINT64) {
                    BigInteger big = fromProcess.unpackBigInteger();
                    return big.bitLength() < Long.SIZE ? (Object) big.longValue() : big;
                }
                return fromProcess.unpackLong();
            case FLOAT:
                return fromProcess.unpackDouble();
            case STRING: // the JDK's decoder: msgpack-core's goes char by char for long ones
                return new String(fromProcess.readPayload(fromProcess.unpackRawStringHeader()), StandardCharsets.UTF_8);
            case BINARY:
                return fromProcess.readPayload(fromProcess.unpackBinaryHeader());
            case ARRAY: {
                int size = fromProcess.unpackArrayHeader();
                List<Object> list = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    list.add(unpack());
                }
                return list;
            }
            case MAP: {
                int size = fromProcess.unpackMapHeader();
                Map<Object, Object> map = new HashMap<>(size * 2);
                for (int i = 0; i < size; i++) {
                    map.put(unpack(), unpack());
                }
                return map;
            }
            default:
                throw new IOException("msgpack " + format + " values are not part of the multilang protocol");
        }
    }

    private void pack(Object value) throws IOException {
        if (value == null) {
            toProcess.packNil();
        } else if (value instanceof String) {
            // a chunk's text is long: msgpack-core encodes a string past 512 chars char
            // by char (its CharsetEncoder over a CharBuffer), the JDK's getBytes at once
            byte[] utf8 = ((String) value).getBytes(StandardCharsets.UTF_8);
            toProcess.packRawStringHeader(utf8.length).writePayload(utf8);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            toProcess.packLong(((Number) value).longValue());
        } else if (value instanceof Double || value instanceof Float) {
            toProcess.packDouble(((Number) value).doubleValue());
        } else if (value instanceof Boolean) {
            toProcess.packBoolean((Boolean) value);
        } else if (value instanceof BigInteger) {
            toProcess.packBigInteger((BigInteger) value);
        } else if (value instanceof byte[]) {
            byte[] bytes = (byte[]) value;
            toProcess.packBinaryHeader(bytes.length).writePayload(bytes);
        } else if (value instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) value;
            toProcess.packMapHeader(map.size());
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                Object key = entry.getKey();
                pack(key instanceof String || key instanceof byte[] ? key : String.valueOf(key));
                pack(entry.getValue());
            }
        } else if (value instanceof Collection) {
            Collection<?> items = (Collection<?>) value;
            toProcess.packArrayHeader(items.size());
            for (Object item : items) {
                pack(item);
            }
        } else if (value instanceof Object[]) {
            Object[] items = (Object[]) value;
            toProcess.packArrayHeader(items.length);
            for (Object item : items) {
                pack(item);
            }
        } else if (value instanceof Number) {
            toProcess.packDouble(((Number) value).doubleValue());
        } else {
            toProcess.packString(value.toString());
        }
    }
}
