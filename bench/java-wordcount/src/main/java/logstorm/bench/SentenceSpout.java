package logstorm.bench;

import java.util.Map;
import java.util.Random;
import org.apache.storm.spout.SpoutOutputCollector;
import org.apache.storm.task.TopologyContext;
import org.apache.storm.topology.OutputFieldsDeclarer;
import org.apache.storm.topology.base.BaseRichSpout;
import org.apache.storm.tuple.Fields;
import org.apache.storm.tuple.Values;

/**
 * Emits one of storm-starter's five sentences, drawn uniformly, per nextTuple, without
 * RandomSentenceSpout's 100 ms pause (the Python spout with wordcount.pause.ms=0).
 *
 * <p>Reliable: each sentence gets a message id, so Storm tracks its tuple tree (acks and
 * complete latency); a failed tree is not replayed, as in the Python spout.
 * Unreliable: no message id, as storm-starter's spout.
 */
public class SentenceSpout extends BaseRichSpout {
    private static final String[] SENTENCES = {
        "the cow jumped over the moon",
        "an apple a day keeps the doctor away",
        "four score and seven years ago",
        "snow white and the seven dwarfs",
        "i am at two with nature",
    };

    private final boolean reliable;
    private transient SpoutOutputCollector collector;
    private transient Random random;
    private long nextId;

    public SentenceSpout(boolean reliable) {
        this.reliable = reliable;
    }

    @Override
    public void open(Map<String, Object> conf, TopologyContext context, SpoutOutputCollector collector) {
        this.collector = collector;
        this.random = new Random();
    }

    @Override
    public void nextTuple() {
        Values sentence = new Values(SENTENCES[random.nextInt(SENTENCES.length)]);
        if (reliable) {
            collector.emit(sentence, nextId++);
        } else {
            collector.emit(sentence);
        }
    }

    @Override
    public void declareOutputFields(OutputFieldsDeclarer declarer) {
        declarer.declare(new Fields("sentence"));
    }
}
