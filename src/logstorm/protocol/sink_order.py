"""The window sink's part in the protocol: write each window once, in the rankings'
order, whatever was lost or doubled on the way, and say how far it is.

Windows arrive as ``[window, seq]`` (:mod:`logstorm.protocol.releaser`): ``seq``
numbers a metric's windows 0, 1, 2, .... A window below the metric's next number is
already written (a resend); one above it waits until the ones before it come.
About once a second the sink makes its output durable, keeps its ``next`` numbers
in its own state (with the Kafka backend in the same transaction as the windows)
and reports ``[received, durable]`` on its ``progress`` stream: the rankings sends
again what the sink lacks and forgets what it has for good. A restarted sink starts
from the numbers it kept, so it writes the windows that were lost with it once.

>>> import tempfile
>>> from logstorm.state.dir_store import DirStore
>>> store = DirStore(tempfile.mkdtemp())
>>> order = InOrder(store)
>>> url = lambda end: {"metric": "url", "window_end": end}
>>> order.take(url(10), 0), order.take(url(12), 2)      # window 1 was lost on its way
([{'metric': 'url', 'window_end': 10}], [])
>>> order.save(); order.progress()                      # received 0 only: 1 is missing
ProgressTuple(received={'url': 1}, durable={'url': 1})
>>> order.take(url(11), 1), order.take(url(10), 0)      # sent again; a double is dropped
([{'metric': 'url', 'window_end': 11}, {'metric': 'url', 'window_end': 12}], [])
"""

from __future__ import annotations

from typing import Any

from logstorm.state.names import SINK_PROGRESS
from logstorm.state.store import StateStore
from logstorm.streams import ProgressTuple


class InOrder:
    """Puts numbered windows back in order and drops doubles; ``save`` keeps how far."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        self.durable: dict[str, int] = store.get(SINK_PROGRESS) or {}
        self.next = dict(self.durable)  # metric -> the number of the next window to write
        self.held: dict[str, dict[int, dict[str, Any]]] = {}  # ahead of a gap

    def take(self, window: dict[str, Any], seq: int) -> list[dict[str, Any]]:
        """One window from the rankings; return those to write now, in order."""
        metric = window["metric"]
        next_seq = self.next.get(metric, 0)
        if seq < next_seq:
            return []
        held = self.held.setdefault(metric, {})
        held[seq] = window
        ready = []
        while next_seq in held:
            ready.append(held.pop(next_seq))
            next_seq += 1
        self.next[metric] = next_seq
        return ready

    def save(self) -> None:
        """Keep how far the sink wrote (durable at the store's next sync)."""
        self.durable = dict(self.next)
        self.store.put(SINK_PROGRESS, self.durable)

    def progress(self) -> ProgressTuple:
        """The ``progress`` tuple, once the store synced."""
        return ProgressTuple(dict(self.next), dict(self.durable))
