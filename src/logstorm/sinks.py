"""Where results go: JSON-lines files, and a readable table for the console."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, TextIO


class JsonLinesFile:
    """Appends one JSON object per line, flushed per line so readers see whole records."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.fh: TextIO = open(path, "a", encoding="utf-8")  # noqa: SIM115 - lives with the bolt

    def write(self, record: dict[str, Any]) -> None:
        """Append record and flush."""
        self.fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.fh.flush()


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
