"""LogFileSpout: emits the lines of a directory's log files, reliably (Flume's role)."""

from __future__ import annotations

import os
import time
from typing import Any

from streamparse import Spout

from logstorm import logs_options as opt
from logstorm.logfiles import LogDirectoryReader
from logstorm.offsets import PositionFile

IDLE_SLEEP_SECS = 0.05  # nothing to read: wait a little instead of spinning
SAVE_EVERY_SECS = 1.0  # position-file checkpoints at most this often
DEFAULT_MAX_PENDING = 100


class LogFileSpout(Spout):
    """One tuple per chunk of lines: (path, offsets, lines, cut), with a message id.

    Acked chunks advance the committed offsets (saved to the position file), failed
    ones are sent again, however often. One task per input directory.
    """

    outputs = ["path", "offsets", "lines", "cut"]

    def initialize(self, storm_conf: dict[str, Any], context: dict[str, Any]) -> None:
        options = opt.read_logs_options(storm_conf)
        directory = options[opt.INPUT_PATH]
        if not os.path.isdir(directory):
            raise FileNotFoundError(
                f"{opt.INPUT_PATH}={directory!r} is not a folder; "
                f"fix: create it or pass -o {opt.INPUT_PATH}=<folder of log files>"
            )
        position_file = options[opt.POSITION_FILE] or os.path.join(
            directory, ".logstorm-positions.json"
        )
        self.positions = PositionFile(position_file)
        self.reader = LogDirectoryReader(
            directory,
            options[opt.INPUT_PATTERN],
            options[opt.INPUT_MODE],
            self.positions,
            batch_lines=options[opt.BATCH_LINES],
            max_line_bytes=options[opt.MAX_LINE_BYTES],
            done_suffix=options[opt.DONE_SUFFIX],
        )
        self.max_pending = storm_conf.get("topology.max.spout.pending") or DEFAULT_MAX_PENDING
        self.poll_secs = options[opt.POLL_SECS]
        self.next_scan = 0.0
        self.next_save = 0.0
        self.warned: dict[str, str] = {}  # unreadable files already logged

    def next_tuple(self) -> None:
        now = time.monotonic()
        if now >= self.next_scan:
            self.reader.scan()
            self.next_scan = now + self.poll_secs
            for path, why in self.reader.unreadable.items():
                if self.warned.get(path) != why:
                    self.logger.warning("cannot read %s (%s): skipped until readable", path, why)
            self.warned = dict(self.reader.unreadable)
        chunk = self.reader.next_chunk(allow_new=self.reader.pending() < self.max_pending)
        if chunk is None:
            time.sleep(IDLE_SLEEP_SECS)
        else:
            self.emit(chunk.values(), tup_id=chunk.msg_id)
        self._save_positions(now)

    def ack(self, tup_id: str) -> None:
        self.reader.ack(tup_id)
        self._save_positions(time.monotonic())

    def fail(self, tup_id: str) -> None:
        self.reader.fail(tup_id)

    def deactivate(self) -> None:
        self._save_positions(force=True)

    def _save_positions(self, now: float = 0.0, force: bool = False) -> None:
        if self.reader.dirty and (force or now >= self.next_save):
            self.positions.save()
            self.reader.dirty = False
            self.next_save = now + SAVE_EVERY_SECS
