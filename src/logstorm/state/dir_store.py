"""The one-host state backend: a folder of JSON and JSON-lines files.

Documents are replaced atomically (written beside, fsync'd, renamed), so a reader
sees the old one or the new; a log is a JSON-lines file appended to in one ``write``
per call (a ``kill -9`` cannot undo it; a last line cut by a crash is removed when
the log is next opened for appending) and fsync'd by ``sync``.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> outbox = DirStore(root).log("rankings.outbox.jsonl")
>>> outbox.append([{"window_end": 10}])
>>> DirStore(root).log("rankings.outbox.jsonl").records()     # a restarted owner's view
[{'window_end': 10}]
>>> sorted(p.name for p in root.iterdir())
['rankings.outbox.jsonl']
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from logstorm.atomic import write_json_atomic, write_text_atomic
from logstorm.jsonl_file import JsonLinesFile, jsonl
from logstorm.jsonl_follow import complete_records


class DirLog:
    """A JSON-lines file as a :class:`logstorm.state.store.StateLog`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file: JsonLinesFile | None = None  # opened on the first append

    def append(self, records: list[dict[str, Any]]) -> None:
        if self.file is None:
            self.file = JsonLinesFile(self.path)  # a line a crash cut is no record
        self.file.write_all(records)

    def records(self) -> list[dict[str, Any]]:
        return complete_records(self.path)

    def rewrite(self, records: list[dict[str, Any]]) -> None:
        write_text_atomic(self.path, jsonl(records))
        if self.file is not None:
            self.file.close()
            self.file = None

    def sync(self) -> None:
        if self.file is not None:
            self.file.sync()


class DirStore:
    """The state of one run in a folder (created when first written)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.logs: dict[str, DirLog] = {}

    def get(self, name: str) -> Any | None:
        try:
            return json.loads((self.root / name).read_text())
        except (FileNotFoundError, ValueError):
            return None

    def put(self, name: str, value: Any) -> None:
        write_json_atomic(self.root / name, value)

    def log(self, name: str) -> DirLog:
        if name not in self.logs:
            self.logs[name] = DirLog(self.root / name)
        return self.logs[name]

    def sync(self) -> None:
        for log in self.logs.values():
            log.sync()

    def where(self) -> str:
        return str(self.root)
