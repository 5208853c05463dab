"""The spout's view of its tuples: how many were acked or failed, and their complete
latency (emit to ack of the whole tuple tree), as Storm's UI shows per spout.

The log-file spout logs a summary every few seconds; without the Storm UI it is how a
user (and the benchmarks) see the topology keep up.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field


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

    def summary(self, secs: float) -> str:
        """One log line about the last secs seconds, then start counting afresh."""
        acked = len(self.latencies)
        text = (
            f"last {secs:.0f}s: {acked} tuples acked ({self.acked_lines} lines, "
            f"{self.acked_lines / secs:.0f} lines/s), {self.failed} failed"
        )
        if acked:
            ordered = sorted(self.latencies)
            p99 = ordered[min(acked - 1, int(acked * 0.99))]
            text += (
                f", complete latency p50 {statistics.median(ordered) * 1000:.0f} ms "
                f"p99 {p99 * 1000:.0f} ms"
            )
        self.latencies, self.acked_lines, self.failed = [], 0, 0
        return text
