"""AccessLogParseBolt: parses chunks of log lines into per-task bundles of counts."""

from __future__ import annotations

from typing import Any

from streamparse import Bolt, Stream, Tuple

from logstorm import logs_options as opt
from logstorm.metrics import METRICS
from logstorm.output.error_samples import chunk_errors
from logstorm.parsing.combiner import count_chunk
from logstorm.sources.chunk_id import bundle_id
from logstorm.streams import ChunkTuple, CountsTuple, ErrorsTuple, send
from logstorm.tasks import task_count


class AccessLogParseBolt(Bolt):
    """Counts a chunk's lines per key of each metric (:mod:`logstorm.metrics`) and
    sends each window task of the metric one bundle on the metric's stream
    (:class:`~logstorm.streams.CountsTuple`). The chunk's bad lines, and in event time
    its late ones, go to ``errors`` as one tuple: their counts and a few samples
    (:func:`~logstorm.output.error_samples.chunk_errors`). Everything is anchored to
    the chunk, acked once emitted; a malformed line never fails the chunk nor stops the
    bolt.

    Part i of n holds the keys :func:`~logstorm.parsing.partition.task_of` gives i; the
    topology groups by part, and Storm's fields grouping sends parts 0..n-1 of n
    tasks to n different tasks (hash of the one-integer list, mod n). A direct
    stream would say so outright, but Storm 2.8's multilang reader cannot take a
    direct emit (its JSON gives an Integer task id where a Long is cast).
    """

    outputs = [
        *(Stream(fields=CountsTuple.fields(), name=metric.stream) for metric in METRICS),
        Stream(fields=ErrorsTuple.fields(), name=ErrorsTuple.stream),
    ]

    def initialize(self, storm_conf: dict[str, Any], context: dict[str, Any]) -> None:
        options = opt.read_logs_options(storm_conf)
        self.slides = opt.slides(options) if options[opt.TIME] == "event" else None
        self.samples = options[opt.ERRORS_SAMPLES]  # a chunk sends no more than a minute's
        self.parts = {}  # metric -> its window component's tasks
        for metric in METRICS:
            self.parts[metric.name] = task_count(context, metric.component)
            if not self.parts[metric.name]:
                raise ValueError(f"parse: the topology has no {metric.component!r} component")

    def process(self, tup: Tuple) -> None:
        chunk = ChunkTuple(*tup.values)
        event = chunk.event
        late = event["late"] if event else None
        counts = count_chunk(chunk.path, chunk.text, chunk.at, chunk.cut, slides=self.slides,
                             late=late)  # fmt: skip
        watermark = event["watermark"] if event else None
        for metric in METRICS:
            for part, bundle in counts.bundles(metric.name, self.parts[metric.name]).items():
                counted = CountsTuple(part, bundle_id(chunk.chunk, part), watermark, bundle)
                send(self, counted, metric.stream)
        if counts.errors:  # one tuple, whatever the number of bad lines
            send(self, ErrorsTuple(chunk.path, *chunk_errors(counts.errors, self.samples)))
