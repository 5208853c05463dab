"""The run's figures in Prometheus' text format: the dashboard's ``GET /metrics``.

Storm 2 exposes no Prometheus metrics for topologies, so the dashboard, which already
reads what the run writes beside its windows, serves them: the spout tasks' status
files (:mod:`logstorm.monitoring.status`), the errors tally and the windows it reads.
Every scrape reads the files afresh; nothing is kept but the windows read.

======================================= ===================================================
``logstorm_lines_read_total{task}``     lines the spout task read and had acknowledged
``logstorm_lines_malformed_total{reason}`` lines left out as malformed
``logstorm_lines_late_total{metric}``   lines left out of a metric's windows as late
``logstorm_lines_counted_total{metric}`` read - malformed - late: lines in the windows
``logstorm_errors_not_written_total``   left-out lines counted but not sampled to the file
``logstorm_spout_lines_per_second{task}`` acked lines/s over the task's last report
``logstorm_spout_pending{task}``        chunks emitted, not yet acknowledged
``logstorm_spout_failed{task}``         chunks failed in the task's last report
``logstorm_spout_complete_latency_seconds{task,quantile}`` chunk emit to ack, p50 / p99
``logstorm_input_bytes_behind{task,file}`` a file's size minus the offset committed
``logstorm_kafka_consumer_lag{topic,partition}`` end offset minus the committed offset
``logstorm_windows_read_total{metric}`` windows the dashboard read since it started
``logstorm_window_end_seconds{metric,time}`` the newest window's end (epoch seconds)
``logstorm_window_age_seconds{metric}`` now - newest end, processing time: output lag
======================================= ===================================================

>>> import tempfile, pathlib
>>> from logstorm.dashboard.feed import WindowFeed
>>> feed = WindowFeed(pathlib.Path(tempfile.mkdtemp()) / "windows.jsonl")
>>> text = exposition(feed).decode()
>>> "logstorm_errors_not_written_total 0.0" in text
True
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from logstorm.dashboard.tally import read_tally
from logstorm.metrics import BY_NAME
from logstorm.monitoring.status import read_statuses

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
NAMES = list(BY_NAME)  # the metrics' names


class RunCollector(Collector):
    """Collects a run's metrics from a :class:`~logstorm.dashboard.feed.WindowFeed`."""

    def __init__(self, feed: Any, clock: Any = time.time) -> None:
        self.feed, self.clock = feed, clock

    def collect(self) -> Iterator[Metric]:
        statuses = read_statuses(self.feed.status_dir)
        tally = read_tally(self.feed.errors_path)
        yield from _lines(statuses, tally)
        yield from _spouts(statuses)
        yield from _windows(self.feed, self.clock())


def exposition(feed: Any) -> bytes:
    """The text a scrape gets."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(RunCollector(feed))
    return generate_latest(registry)


def _lines(statuses: list[dict[str, Any]], tally: dict[str, Any]) -> Iterator[Metric]:
    read = CounterMetricFamily(
        "logstorm_lines_read", "Lines read and acknowledged", labels=["task"]
    )
    total = 0
    for status in statuses:
        lines = status.get("lines_total", 0)
        total += lines
        read.add_metric([str(status["task"])], lines)
    yield read
    malformed = CounterMetricFamily("logstorm_lines_malformed", "Lines left out as malformed",
                                    labels=["reason"])  # fmt: skip
    for reason, n in tally["malformed"].items():
        malformed.add_metric([reason], n)
    yield malformed
    late = CounterMetricFamily("logstorm_lines_late", "Lines too late for a metric's windows",
                               labels=["metric"])  # fmt: skip
    counted = CounterMetricFamily("logstorm_lines_counted", "Lines counted in a metric's windows",
                                  labels=["metric"])  # fmt: skip
    for metric in NAMES:
        late.add_metric([metric], tally["late"].get(metric, 0))
        lost = tally["malformed_total"] + tally["late"].get(metric, 0)
        counted.add_metric([metric], max(total - lost, 0))
    yield late
    yield counted
    yield CounterMetricFamily("logstorm_errors_not_written", "Left-out lines not sampled to the "
                              "errors file", value=tally.get("not_written", 0))  # fmt: skip


def _spouts(statuses: list[dict[str, Any]]) -> Iterator[Metric]:
    gauges = {
        "lines_per_sec": GaugeMetricFamily("logstorm_spout_lines_per_second",
                                           "Acked lines per second", labels=["task"]),
        "pending": GaugeMetricFamily("logstorm_spout_pending", "Chunks not yet acknowledged",
                                     labels=["task"]),
        "failed": GaugeMetricFamily("logstorm_spout_failed", "Chunks failed in the last report",
                                    labels=["task"]),
    }  # fmt: skip
    latency = GaugeMetricFamily(
        "logstorm_spout_complete_latency_seconds",
        "Chunk emitted to acked",
        labels=["task", "quantile"],
    )
    behind = GaugeMetricFamily("logstorm_input_bytes_behind", "A file's bytes not yet "
                               "committed", labels=["task", "file"])  # fmt: skip
    lag = GaugeMetricFamily("logstorm_kafka_consumer_lag", "A partition's records not yet "
                            "committed", labels=["topic", "partition"])  # fmt: skip
    for status in statuses:
        task = str(status["task"])
        for key, gauge in gauges.items():
            gauge.add_metric([task], status.get(key) or 0)
        for quantile, key in (("0.5", "p50"), ("0.99", "p99")):
            ms = (status.get("complete_latency_ms") or {}).get(key)
            if ms is not None:
                latency.add_metric([task, quantile], ms / 1000)
        sources = (status.get("lag") or {}).get("sources", {})
        for source, n in sources.items():
            if status["lag"]["unit"] == "records":
                topic, partition = source.rsplit("/", 1)
                lag.add_metric([topic, partition], n)
            else:
                behind.add_metric([task, source], n)
    yield from gauges.values()
    yield latency
    yield behind
    yield lag


def _windows(feed: Any, now: float) -> Iterator[Metric]:
    read = CounterMetricFamily("logstorm_windows_read", "Windows the dashboard read",
                               labels=["metric"])  # fmt: skip
    end = GaugeMetricFamily("logstorm_window_end_seconds", "The newest window's end",
                            labels=["metric", "time"])  # fmt: skip
    age = GaugeMetricFamily("logstorm_window_age_seconds", "Now minus the newest window's "
                            "end, processing time", labels=["metric"])  # fmt: skip
    for metric in NAMES:
        read.add_metric([metric], feed.windows_read.get(metric, 0))
        newest = feed.newest.get(metric)
        if newest is not None:
            end.add_metric([metric, newest["time"]], newest["window_end"])
            if newest["time"] == "processing":
                age.add_metric([metric], now - newest["window_end"])
    yield read
    yield end
    yield age
