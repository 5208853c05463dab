"""The spout's view of its tuples: how many were acked or failed, and their complete
latency (emit to ack of the whole tuple tree), as Storm's UI shows per spout.

The log-file spout logs a summary every few seconds; without the Storm UI it is how a
user (and the benchmarks) see the topology keep up.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any


@dataclass
class AckStats:
    """Counts and complete latencies since the last :meth:`summary`."""

    sent: dict[str, float] = field(default_factory=dict)  # msg id -> when (last) emitted
    latencies: list[float] = field(default_factory=list)
    acked_lines: int = 0
    failed: int = 0

    def emitted(self, msg_id: str, now: float) -> None:
        """A tuple left (again, if it failed before): its tree starts now."""
        self.sent[msg_id] = now

    def acked(self, msg_id: str, now: float, lines: int) -> None:
        """The tuple's tree completed."""
        started = self.sent.pop(msg_id, None)
        if started is not None:
            self.latencies.append(now - started)
            self.acked_lines += lines

    def failed_tuple(self, msg_id: str) -> None:
        """The tuple's tree failed or timed out (it will be emitted again)."""
        self.failed += 1

    def report(self, secs: float) -> dict[str, Any]:
        """The last secs seconds as figures, then start counting afresh.

        >>> stats = AckStats()
        >>> stats.emitted("a", 0.0); stats.acked("a", 0.25, lines=100)
        >>> stats.report(10.0)["complete_latency_ms"]
        {'p50': 250, 'p99': 250}
        """
        acked = len(self.latencies)
        latency = None
        if acked:
            ordered = sorted(self.latencies)
            p99 = ordered[min(acked - 1, int(acked * 0.99))]
            latency = {"p50": round(statistics.median(ordered) * 1000),
                       "p99": round(p99 * 1000)}  # fmt: skip
        report = {"secs": secs, "acked_tuples": acked, "acked_lines": self.acked_lines,
                  "lines_per_sec": self.acked_lines / secs, "failed": self.failed,
                  "complete_latency_ms": latency}  # fmt: skip
        self.latencies, self.acked_lines, self.failed = [], 0, 0
        return report


def summary(report: dict[str, Any]) -> str:
    """A :meth:`AckStats.report` as one log line."""
    text = (
        f"last {report['secs']:.0f}s: {report['acked_tuples']} tuples acked "
        f"({report['acked_lines']} lines, {report['lines_per_sec']:.0f} lines/s), "
        f"{report['failed']} failed"
    )
    latency = report["complete_latency_ms"]
    if latency:
        text += f", complete latency p50 {latency['p50']} ms p99 {latency['p99']} ms"
    return text
