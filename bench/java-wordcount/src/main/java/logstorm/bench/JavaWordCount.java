package logstorm.bench;

import java.util.Map;
import org.apache.storm.StormSubmitter;
import org.apache.storm.starter.FastWordCountTopology;
import org.apache.storm.starter.WordCountTopology;
import org.apache.storm.topology.TopologyBuilder;
import org.apache.storm.tuple.Fields;
import org.apache.storm.utils.ObjectReader;
import org.apache.storm.utils.Utils;

/**
 * storm-starter's WordCountTopology with our pause-free spout:
 * sentences --shuffle--> storm-starter's SplitSentence (Python, splitsentence.py)
 * --fields(word)--> storm-starter's WordCount (Java).
 *
 * <p>With {@code fast}, storm-starter's FastWordCountTopology instead: its own spout,
 * split and count, all Java (no multilang at all): the Storm ceiling. Its spout always
 * emits with message ids (the sentence) and draws from five longer sentences.
 *
 * <p>Usage, under {@code storm local}:
 * {@code JavaWordCount <name> <conf.yaml> <spout tasks> <split tasks> <count tasks> [fast]}.
 * conf.yaml is the topology configuration (YAML or JSON); {@code wordcount.reliable: true}
 * makes our spout emit with message ids.
 */
public final class JavaWordCount {
    private JavaWordCount() {
    }

    public static void main(String[] args) throws Exception {
        boolean fast = args.length == 6 && args[5].equals("fast");
        if (args.length != 5 && !fast) {
            System.err.println(
                    "usage: JavaWordCount <name> <conf.yaml> <spout> <split> <count> [fast]");
            System.exit(2);
        }
        Map<String, Object> conf = Utils.findAndReadConfigFile(args[1], true);
        boolean reliable = ObjectReader.getBoolean(conf.get("wordcount.reliable"), false);
        TopologyBuilder builder = new TopologyBuilder();
        builder.setSpout("spout",
                fast ? new FastWordCountTopology.FastRandomSentenceSpout() : new SentenceSpout(reliable),
                Integer.parseInt(args[2]));
        builder.setBolt("split",
                fast ? new FastWordCountTopology.SplitSentence() : new WordCountTopology.SplitSentence(),
                Integer.parseInt(args[3]))
                .shuffleGrouping("spout");
        builder.setBolt("count",
                fast ? new FastWordCountTopology.WordCount() : new WordCountTopology.WordCount(),
                Integer.parseInt(args[4]))
                .fieldsGrouping("split", new Fields("word"));
        StormSubmitter.submitTopology(args[0], conf, builder.createTopology());
    }
}
