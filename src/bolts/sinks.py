"""Sink bolts: windows and left-out lines to JSON-lines files (and the console)."""

from __future__ import annotations

import json
import time
from typing import Any

from streamparse import Bolt, Tuple

from logstorm import logs_options as opt
from logstorm.atomic import write_json_atomic
from logstorm.output.sinks import ErrorTally, JsonLinesFile, tally_path, window_record, window_table
from logstorm.shipping.producer import LineProducer

TALLY_EVERY_SECS = 1.0


class WindowSinkBolt(Bolt):
    """Appends each window to ``logstorm.output.path``; logs it as a table if asked; with
    ``logstorm.output.kafka.topic`` also produces it there (the same JSON, keyed by
    metric), reporting any record Kafka did not take."""

    def initialize(self, storm_conf: dict[str, Any], context: dict[str, Any]) -> None:
        options = opt.read_logs_options(storm_conf)
        self.out = JsonLinesFile(options[opt.OUTPUT_PATH])
        self.console = options[opt.CONSOLE]
        self.topic = None
        if options[opt.OUTPUT_KAFKA_TOPIC]:
            self.topic = LineProducer(
                options[opt.OUTPUT_KAFKA_SERVERS],
                options[opt.OUTPUT_KAFKA_TOPIC],
                servers_option=f"-o {opt.OUTPUT_KAFKA_SERVERS}=",
                topic_option=f"-o {opt.OUTPUT_KAFKA_TOPIC}=",
            )

    def process(self, tup: Tuple) -> None:
        window = window_record(tup.values[0])
        self.out.write(window)
        if self.console:
            self.logger.info("\n%s", window_table(window))
        if self.topic is not None:
            name = f"{window['metric']}/{window['window_end']}"
            text = json.dumps(window, ensure_ascii=False).encode()
            self.topic.send(name, [text], key=window["metric"].encode())
            for name, delivered in self.topic.results():
                if not delivered:
                    self.logger.warning("window %s not taken by Kafka: %s", name,
                                        self.topic.errors[-1])  # fmt: skip


class ErrorSinkBolt(Bolt):
    """Appends each line the windows left out (malformed, cut, or in event time late for
    a metric) with its reason, file and offset to ``logstorm.errors.path``, and keeps
    their tally beside it (``errors.counts.json``): nothing is dropped unaccounted.
    """

    def initialize(self, storm_conf: dict[str, Any], context: dict[str, Any]) -> None:
        path = opt.read_logs_options(storm_conf)[opt.ERRORS_PATH]
        self.out = JsonLinesFile(path)
        self.tally = ErrorTally()
        self.tally_path = tally_path(path)
        self.tally_due = False
        self.next_tally = 0.0

    def process(self, tup: Tuple) -> None:
        reason, path, offset, line, metric = tup.values
        record = {"reason": reason, "path": path, "offset": offset, "line": line}
        if metric is not None:
            record["metric"] = metric
        self.out.write(record)
        self.tally.add(record)
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
