"""The WordCount example's core: sentences, words, and its options.

storm-starter's WordCountTopology in Python, kept beside the log analyzer as an
example of the project's shape: a plain-Python core here (nothing of Storm, pystorm or
streamparse), thin components over it (src/spouts/sentences.py, src/bolts/wordcount.py)
and the topology (topologies/wordcount.py). It is no part of the ``logstorm`` package;
it shares only logstorm's option reading (``logstorm.options``). Not named
``wordcount``: streamparse imports topologies/wordcount.py under that module name.
"""
