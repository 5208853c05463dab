package logstorm.bench;

import java.util.Map;
import org.apache.storm.StormSubmitter;
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
 * <p>Usage, under {@code storm local}:
 * {@code JavaWordCount <name> <conf.yaml> <spout tasks> <split tasks> <count tasks>}.
 * conf.yaml is the topology configuration (YAML or JSON); {@code wordcount.reliable: true}
 * makes the spout emit with message ids.
 */
public final class JavaWordCount {
    private JavaWordCount() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: JavaWordCount <name> <conf.yaml> <spout> <split> <count>");
            System.exit(2);
        }
        Map<String, Object> conf = Utils.findAndReadConfigFile(args[1], true);
        boolean reliable = ObjectReader.getBoolean(conf.get("wordcount.reliable"), false);
        TopologyBuilder builder = new TopologyBuilder();
        builder.setSpout("spout", new SentenceSpout(reliable), Integer.parseInt(args[2]));
        builder.setBolt("split", new WordCountTopology.SplitSentence(), Integer.parseInt(args[3]))
                .shuffleGrouping("spout");
        builder.setBolt("count", new WordCountTopology.WordCount(), Integer.parseInt(args[4]))
                .fieldsGrouping("split", new Fields("word"));
        StormSubmitter.submitTopology(args[0], conf, builder.createTopology());
    }
}
