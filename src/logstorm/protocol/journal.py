"""A window task's journal: its count increments on disk, so a restarted task resumes
its windows instead of starting empty.

The window bolt saves the increments about once a second and acknowledges the
tuples they came from only afterwards. A crash therefore loses only unacknowledged
tuples, which the spout sends again, and every acknowledged line stays counted.
In processing time that is at-least-once (a replayed chunk may be counted twice by
the tasks that had already saved it); in event time the journal also holds the ids
of the counted chunks, and a replay is dropped (exactly-once counts).

The journal is a log of the run's state store (:mod:`logstorm.state`: a JSON-lines
file, or records of the task's Kafka topic), one entry per save, each what the
counter's ``journal_entry()`` returns; every ``compact_every`` saves it is rewritten
atomically as the single entry ``snapshot_entry()``. ``restore(entries)`` rebuilds the
counter. The bolt syncs the store after each save, before it acknowledges.
"""

from __future__ import annotations

from typing import Any, Protocol

from logstorm.state.store import StateLog


class Journaled(Protocol):
    """A counter that the journal can save and restore."""

    def journal_entry(self) -> dict[str, Any]: ...
    def snapshot_entry(self) -> dict[str, Any]: ...
    def restore(self, entries: list[dict[str, Any]]) -> None: ...


class WindowJournal:
    """The journal of one window task, in a log of the run's state."""

    def __init__(self, log: StateLog, compact_every: int = 300) -> None:
        self.log = log
        self.compact_every = compact_every
        self.saves = 0

    def restore(self, counter: Journaled) -> bool:
        """Load the journal into counter; False if there was none."""
        entries = self.log.records()
        if not entries:
            return False
        counter.restore(entries)
        return True

    def save(self, counter: Journaled) -> None:
        """Add what counter counted since the last save (durable at the store's sync)."""
        entry = counter.journal_entry()
        self.saves += 1
        if self.saves % self.compact_every == 0:
            self.log.rewrite([counter.snapshot_entry()])
        else:
            self.log.append([entry])
