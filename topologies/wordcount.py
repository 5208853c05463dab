"""WordCount: storm-starter's WordCountTopology, in Python.

random sentences --shuffle--> split --fields(word)--> count

Parallelism follows the Java topology on a cluster (spout 5, split 8, count 12,
3 workers) and fits two cores under ``sparse run`` (environment ``local``).
"""

import os

from streamparse import Grouping, Topology

from bolts.wordcount import SplitSentenceBolt, WordCountBolt
from spouts.sentences import RandomSentenceSpout
from wordcount_example.options import read_wordcount_options


class WordCount(Topology):
    config = {
        # Where count tasks write counts-<task>.json; resolved at submit time so the
        # Python workers (which run in Storm's own folders) write into the project's
        # run/, or the folder LOGSTORM_RUN names (the test suite's).
        "wordcount.snapshot.dir": os.path.abspath(
            os.path.join(os.environ.get("LOGSTORM_RUN") or "run", "wordcount")
        ),
    }
    # sparse run/submit check every option before building or starting anything
    check_options = staticmethod(read_wordcount_options)

    spout = RandomSentenceSpout.spec(name="spout", par={"local": 1, "cluster": 5})
    split = SplitSentenceBolt.spec(
        name="split", inputs={spout: Grouping.SHUFFLE}, par={"local": 2, "cluster": 8}
    )
    count = WordCountBolt.spec(
        name="count",
        inputs={split: Grouping.fields("word")},
        par={"local": 2, "cluster": 12},
        config={"topology.tick.tuple.freq.secs": 1},
    )
