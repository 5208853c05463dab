"""What the log analyzer counts: one entry per metric, read by every stage.

A metric counts one field of each request over a sliding window and ranks its keys.
Its entry says everything the pipeline needs: the field, the default window and
slide (the options ``logstorm.window.<name>.secs`` and ``.slide.secs`` are made from
them), the parse bolt's stream and the window component it feeds, its tasks, and how
the console and the dashboard show it. Adding a metric is adding an entry here.

>>> [m.name for m in METRICS]
['url', 'status', 'host']
>>> HOST.window_option, HOST.slide_option, HOST.stream, HOST.component
('logstorm.window.host.secs', 'logstorm.window.host.slide.secs', 'host_counts', 'host_window')
>>> from logstorm.parsing.accesslog import parse_line
>>> record = parse_line('10.0.0.7 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" - 5')
>>> [m.key(record) for m in METRICS]
['/', '-', '10.0.0.7']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# How the dashboard draws a metric: "ranking" its newest window's top keys, "status"
# the share of each status class (2xx, 3xx, ...) over the recent windows.
View = Literal["ranking", "status"]


@dataclass(frozen=True)
class Metric:
    """One metric: requests counted per ``key_field`` of the access record."""

    name: str  # the windows' "metric", and the options' <name>
    key_field: str  # the access record's field counted (logstorm.parsing.accesslog)
    missing: str | None  # the key of a request without that field (None: not counted)
    window_secs: int  # default window length
    slide_secs: int  # default slide
    title: str  # what the console and the dashboard call it
    view: View
    tasks: dict[str, int] = field(default_factory=lambda: {"local": 2, "cluster": 2})

    @property
    def window_option(self) -> str:
        return f"logstorm.window.{self.name}.secs"

    @property
    def slide_option(self) -> str:
        return f"logstorm.window.{self.name}.slide.secs"

    @property
    def stream(self) -> str:
        """The parse bolt's stream of this metric's counts."""
        return f"{self.name}_counts"

    @property
    def component(self) -> str:
        """The topology's window component of this metric."""
        return f"{self.name}_window"

    def key(self, record: Any) -> str | None:
        """The key a parsed record counts under (None: it does not count here)."""
        value = getattr(record, self.key_field)
        return self.missing if value is None else str(value)


URL = Metric("url", "path", None, 300, 1, "Top URLs", "ranking", {"local": 2, "cluster": 4})
STATUS = Metric("status", "status", "-", 300, 5, "HTTP status codes", "status")
HOST = Metric("host", "host", None, 300, 5, "Top client hosts", "ranking")
METRICS = (URL, STATUS, HOST)
BY_NAME = {metric.name: metric for metric in METRICS}


def metric_of_component(component: str) -> Metric:
    """The metric whose window component is named component.

    >>> metric_of_component("status_window").name
    'status'
    """
    for metric in METRICS:
        if metric.component == component:
            return metric
    known = ", ".join(m.component for m in METRICS)
    raise ValueError(f"{component!r} is no metric's window component (known: {known})")
