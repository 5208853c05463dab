"""The interface every state backend implements: documents and logs, made durable by
``sync``.

A writer calls ``put`` and ``append`` as it goes and ``sync`` before it relies on
them (before it acknowledges the tuples they came from): only then are they durable,
and they become durable in the order they were made. Each component reads only its
own state, when it is restarted (maybe on another host); what components tell each
other travels as tuples (:mod:`logstorm.protocol`).

>>> import tempfile
>>> from logstorm.state.dir_store import DirStore
>>> store = DirStore(tempfile.mkdtemp())
>>> store.put("rankings.released.json", {"epoch": 1})
>>> journal = store.log("url_window-3.jsonl")
>>> journal.append([{"n": 1}, {"n": 2}])
>>> store.sync()
>>> store.get("rankings.released.json"), journal.records()
({'epoch': 1}, [{'n': 1}, {'n': 2}])
>>> journal.rewrite([{"n": 3}])
>>> journal.records(), store.get("missing.json")
([{'n': 3}], None)
"""

from __future__ import annotations

from typing import Any, Protocol


class StateLog(Protocol):
    """Records appended by one writer, oldest first; ``rewrite`` replaces them all."""

    def append(self, records: list[dict[str, Any]]) -> None:
        """Add records after the others (durable at the store's next ``sync``)."""

    def records(self) -> list[dict[str, Any]]:
        """Every record now, oldest first."""

    def rewrite(self, records: list[dict[str, Any]]) -> None:
        """Replace every record by these, atomically and durably."""


class StateStore(Protocol):
    """Named JSON documents and logs of one run's state (see :mod:`logstorm.state`)."""

    def get(self, name: str) -> Any | None:
        """A document's newest value (None if it was never written)."""

    def put(self, name: str, value: Any) -> None:
        """Replace a document (durable at the next ``sync``; readers see old or new)."""

    def log(self, name: str) -> StateLog:
        """A log, to append to or read."""

    def sync(self) -> None:
        """Make every ``put`` and ``append`` so far durable, in the order made."""

    def where(self) -> str:
        """Where the state is, for messages."""
