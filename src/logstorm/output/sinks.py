"""Where results go: JSON-lines files, a readable table for the console, and the
running tally of what could not be counted."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

from logstorm.parsing.combiner import LATE


class JsonLinesFile:
    """Appends one JSON object per line, each record in one ``write`` call to a file
    opened for appending, so records of two writers never interleave. A reader can
    still catch a record half written: read with ``logstorm.output.follow``."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def write(self, record: dict[str, Any]) -> None:
        """Append record."""
        data = (json.dumps(record, ensure_ascii=False) + "\n").encode()
        while data:
            data = data[os.write(self.fd, data) :]


WINDOW_FIELDS = (
    "metric", "time", "window_end", "window_secs", "slide_secs", "total", "distinct", "top",
    "partial",
)  # fmt: skip


def window_record(window: dict[str, Any]) -> dict[str, Any]:
    """A window with its fields in the documented order (a dict that crossed Storm as a
    Java map comes back in any order), so equal windows are equal JSON lines."""
    return {name: window[name] for name in WINDOW_FIELDS if name in window}


def window_table(window: dict[str, Any]) -> str:
    """A window as a small sorted table, like the course's ``pprint()`` of a DStream."""
    end = time.strftime("%H:%M:%S", time.gmtime(window["window_end"]))
    head = (
        f"{window['metric']} window ending {end}Z "
        f"(last {window['window_secs']}s, every {window['slide_secs']}s): "
        f"{window['total']} requests, {window['distinct']} distinct"
    )
    if "partial" in window:
        head += f" [partial: {window['partial']}]"
    if not window["top"]:
        return head
    width = max(len(str(count)) for _, count in window["top"])
    rows = [f"  {count:>{width}}  {key}" for key, count in window["top"]]
    return "\n".join([head, *rows])


class ErrorTally:
    """How many lines were left out, and why: malformed (by reason) and late (by metric).

    It is the answer to "how much did the windows miss?", kept next to the errors file
    as ``{"late": {metric: n}, "malformed": {reason: n}}``.
    """

    def __init__(self) -> None:
        self.late: Counter[str] = Counter()
        self.malformed: Counter[str] = Counter()

    def add(self, record: dict[str, Any]) -> None:
        """Count one error record."""
        if record["reason"] == LATE:
            self.late[record["metric"]] += 1
        else:
            self.malformed[record["reason"]] += 1

    def as_dict(self) -> dict[str, Any]:
        """The tally as JSON-ready counts, keys sorted."""
        return {
            "late": dict(sorted(self.late.items())),
            "malformed": dict(sorted(self.malformed.items())),
        }


def tally_path(errors_path: str | os.PathLike[str]) -> Path:
    """Where the tally of an errors file is kept: ``errors.jsonl`` -> ``errors.counts.json``."""
    path = Path(errors_path)
    return path.with_name(path.name.removesuffix(".jsonl") + ".counts.json")
