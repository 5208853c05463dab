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
        int spouts = Integer.parseInt(args[2]);
        int splits = Integer.parseInt(args[3]);
        int counts = Integer.parseInt(args[4]);
        // separate branches: the two jars' bolts are of different kinds (rich, basic),
        // so one conditional expression would leave setBolt's overload ambiguous
        if (fast) {
            builder.setSpout("spout", new FastWordCountTopology.FastRandomSentenceSpout(), spouts);
            builder.setBolt("split", new FastWordCountTopology.SplitSentence(), splits)
                    .shuffleGrouping("spout");
            builder.setBolt("count", new FastWordCountTopology.WordCount(), counts)
                    .fieldsGrouping("split", new Fields("word"));
        } else {
            builder.setSpout("spout", new SentenceSpout(reliable), spouts);
            builder.setBolt("split", new WordCountTopology.SplitSentence(), splits)
                    .shuffleGrouping("spout");
            builder.setBolt("count", new WordCountTopology.WordCount(), counts)
                    .fieldsGrouping("split", new Fields("word"));
        }
        StormSubmitter.submitTopology(args[0], conf, builder.createTopology());
    }
}
