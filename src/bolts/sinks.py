"""Sink bolts: windows and left-out lines to JSON-lines files (and the console)."""

from __future__ import annotations

import logging
import time
from typing import Any

from streamparse import Bolt, Stream, Tuple

from logstorm import logs_options as opt
from logstorm.atomic import write_json_atomic
from logstorm.jsonl_file import JsonLinesFile
from logstorm.kafka_topic import topic_partitions
from logstorm.output.error_samples import ErrorSampler, SampleBudget
from logstorm.output.sinks import (
    ErrorTally,
    WindowFile,
    WindowTopic,
    tally_path,
    window_json,
    window_record,
    window_table,
)
from logstorm.protocol.run_state import open_state
from logstorm.protocol.sink_order import InOrder
from logstorm.shipping.producer import LineProducer
from logstorm.state.kafka_store import KafkaStore
from logstorm.streams import ErrorsTuple, ProgressTuple, WindowTuple, send

TALLY_EVERY_SECS = 1.0
SYNC_EVERY_SECS = 1.0


class WindowSinkBolt(Bolt):
    """Appends each window to ``logstorm.output.path``, once (:class:`WindowFile`); logs it
    as a table if asked; with ``logstorm.output.kafka.topic`` also produces it there (the
    same JSON, keyed by metric), reporting any record Kafka did not take.

    With a state store (:mod:`logstorm.state`) its part in :mod:`logstorm.protocol` is
    :class:`~logstorm.protocol.sink_order.InOrder`: the rankings numbers its windows, the
    sink writes them in that order, each once, holding any that come after a gap; about
    once a second it makes its output durable, keeps how far it is in its state and
    reports it on its ``progress`` stream, and the rankings sends again what it lacks
    (a window tuple lost on its way, or the windows sent while this task was down).

    With the Kafka backend (``logstorm.state.backend=kafka``) the windows topic is
    written in Kafka transactions, each holding a second's windows and the sink's
    progress: a consumer reading committed records sees every window once, whichever
    host the sink ran on and however often it was restarted.
    """

    outputs = [Stream(fields=ProgressTuple.fields(), name=ProgressTuple.stream)]

    def initialize(self, storm_conf: dict[str, Any], context: dict[str, Any]) -> None:
        options = opt.read_logs_options(storm_conf)
        self.out = WindowFile(options[opt.OUTPUT_PATH], options[opt.TIME],
                              options[opt.OUTPUT_MAX_BYTES], options[opt.OUTPUT_KEEP])  # fmt: skip
        _say_if_cut(self.logger, self.out.file)
        self.console = options[opt.CONSOLE]
        transactional = options[opt.STATE_BACKEND] == "kafka"
        writer = "window_sink" if transactional else None
        self.state = open_state(options, storm_conf, context, transactional_id=writer)
        self.topic_name = options[opt.OUTPUT_KAFKA_TOPIC]
        self.topic = None
        self.in_topic: WindowTopic | None = None  # written in the state's transactions
        if self.topic_name and transactional:
            assert isinstance(self.state, KafkaStore)  # the Kafka backend: its producer
            topic_partitions(self.state.producer(), options[opt.STATE_KAFKA_SERVERS],
                             self.topic_name, f"-o {opt.STATE_KAFKA_SERVERS}=",
                             f"-o {opt.OUTPUT_KAFKA_TOPIC}=")  # fmt: skip
            self.in_topic = WindowTopic(self.state, self.topic_name)
        elif self.topic_name:
            self.topic = LineProducer(
                options[opt.OUTPUT_KAFKA_SERVERS],
                self.topic_name,
                servers_option=f"-o {opt.OUTPUT_KAFKA_SERVERS}=",
                topic_option=f"-o {opt.OUTPUT_KAFKA_TOPIC}=",
            )
        self.order = None if self.state is None else InOrder(self.state)
        self.next_sync = 0.0

    def process(self, tup: Tuple) -> None:
        ranked = WindowTuple(*tup.values)
        if self.order is None:
            self._write(window_record(ranked.window))
            return
        assert ranked.seq is not None  # with a state store every window is numbered
        for ready in self.order.take(window_record(ranked.window), ranked.seq):
            self._write(ready)
        self._sync()

    def process_tick(self, tup: Tuple) -> None:
        self._sync()

    def _write(self, window: dict[str, Any]) -> None:
        if self.in_topic is not None:
            self.in_topic.write(window)  # new: InOrder passed it after the committed progress
        if not self.out.write(window):
            return  # already in the file: written before a crash
        if self.console:
            self.logger.info("\n%s", window_table(window))
        if self.topic is not None:
            name = f"{window['metric']}/{window['window_end']}"
            self.topic.send(name, [window_json(window)], key=window["metric"].encode())
            for name, delivered in self.topic.results():
                if not delivered:
                    self.logger.warning("window %s not taken by Kafka: %s", name,
                                        self.topic.errors[-1])  # fmt: skip

    def _sync(self) -> None:
        if self.order is not None and self.state is not None and time.monotonic() >= self.next_sync:
            self.out.file.sync()
            self.order.save()
            self.state.sync()  # with the transaction's windows, atomically
            send(self, self.order.progress())
            self.next_sync = time.monotonic() + SYNC_EVERY_SECS


class ErrorSinkBolt(Bolt):
    """Counts the lines the windows left out (malformed, cut, or in event time late for
    a metric) in a tally beside ``logstorm.errors.path`` (``errors.counts.json``), and
    appends samples of them with their reason, file and offset to that file, at most
    ``logstorm.errors.samples.per.minute`` of each reason and metric: a flood of bad
    lines is counted exactly and costs a bounded amount of disk. The file rotates at
    ``logstorm.errors.max.bytes`` (``logstorm.errors.keep`` old ones kept).
    """

    def initialize(self, storm_conf: dict[str, Any], context: dict[str, Any]) -> None:
        options = opt.read_logs_options(storm_conf)
        path = options[opt.ERRORS_PATH]
        self.out = JsonLinesFile(path, options[opt.ERRORS_MAX_BYTES], options[opt.ERRORS_KEEP])
        _say_if_cut(self.logger, self.out)
        self.tally_path = tally_path(path)
        self.tally = ErrorTally.resumed(self.tally_path)  # a restarted sink goes on counting
        self.sampler = ErrorSampler(self.tally, SampleBudget(options[opt.ERRORS_SAMPLES]))
        self.tally_due = False
        self.next_tally = 0.0

    def process(self, tup: Tuple) -> None:
        errors = ErrorsTuple(*tup.values)
        kept = self.sampler.take(errors.path, errors.counts, errors.samples, now=time.time())
        if kept:
            self.out.write_all(kept)
        self.tally_due = True
        self._write_tally()

    def process_tick(self, tup: Tuple) -> None:
        self._write_tally()

    def _write_tally(self) -> None:
        now = time.monotonic()
        if self.tally_due and now >= self.next_tally:
            write_json_atomic(self.tally_path, self.tally.as_dict())
            self.tally_due = False
            self.next_tally = now + TALLY_EVERY_SECS


def _say_if_cut(logger: logging.Logger, out: JsonLinesFile) -> None:
    if out.cut_bytes:
        logger.warning("%s: removed a last line cut by a crash (%d bytes); its record "
                       "is written again", out.path, out.cut_bytes)  # fmt: skip
