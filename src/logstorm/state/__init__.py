"""Where the analyzer's state lives: a folder on one host, or Kafka for a cluster.

Every stateful component (window tasks, the rankings, the window sink, the Kafka
spout in event time) keeps its state as named *documents* (the latest value wins:
the reports a window task sent, the rankings' released watermarks, the sink's
progress) and named *logs* (appended records, now and then rewritten whole: a window
task's journal, the rankings' outbox, the spout's cut log), through one interface,
:class:`logstorm.state.store.StateStore`. Two backends implement it:

- :class:`logstorm.state.dir_store.DirStore` (``logstorm.state.backend=dir``): files
  in one folder, fsync'd, replaced atomically. The backend of ``sparse run`` and of a
  one-host cluster; on several hosts a task moved by Storm would not find its files,
  so ``sparse submit`` refuses it there (:func:`logstorm.state.hosts.check_hosts`).
- :class:`logstorm.state.kafka_store.KafkaStore` (``logstorm.state.backend=kafka``):
  one compacted, single-partition changelog topic per owner (``url_window-3``,
  ``rankings``, ``window_sink``, ...), as Kafka Streams keeps a task's store, on
  brokers every host reaches. A task restarted on another host reads its topic back.

The names are those of the files the folder backend writes; the part before the
first dot names the owner, so the Kafka backend's topic.
"""
