"""Reading every log file of a directory reliably: the core of the log-file spout.

It plays the part of Flume's sources. Mode ``tail`` (TAILDIR) follows growing
files like ``tail -F``: new files are picked up, a file renamed away (rotation)
is drained to its end, a truncated file (copytruncate) is read again from 0, and a
trailing line without newline waits until it completes. The lines a truncated file
held beyond what was read are read from logrotate's copy: a file of the folder that
begins with the same bytes and has, where reading stopped, the bytes last read
(whatever its name, so a copy the pattern matches is not read again from its start).
Mode ``spool`` (spooling directory) reads complete files once and marks each done when
every line of it was acknowledged (renamed with a suffix and recorded in the position
file).
With ``in_order`` files are read one after the other by name, so the lines leave in
one reproducible order (event time needs it).

Lines leave in :class:`~logstorm.sources.chunks.Chunk` s of consecutive lines of one
file, each with a message id naming its byte range. :meth:`LogDirectoryReader.ack` commits ranges
(see :mod:`logstorm.sources.offsets`); :meth:`LogDirectoryReader.fail` queues the chunk
to be sent again, as often as needed: nothing is ever dropped.
"""

from __future__ import annotations

import fnmatch
import itertools
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from logstorm.sources.chunk_id import chunk_id, cut_key, parse_chunk_id
from logstorm.sources.chunks import CHUNK_CHARS, Chunk, InFlight
from logstorm.sources.lines import LineQueue, LineSplitter
from logstorm.sources.offsets import CommitTracker, PositionFile, file_id

READ_BYTES = 256 * 1024
HEAD_BYTES = 256
MAX_READS_PER_FILL = 16


@dataclass
class _File:
    fid: str
    path: str
    fh: BinaryIO
    generation: int
    tracker: CommitTracker
    splitter: LineSplitter
    ready: LineQueue = field(default_factory=LineQueue)
    rotated: bool = False  # its name now points elsewhere (or nowhere)
    at_eof: bool = False
    head: bytes = b""  # the file's first bytes as read: a rewrite changes them
    tail_at: int = 0  # where the last bytes read (tail) start
    tail: bytes = b""
    # A chunk's id is ``<chunk_prefix>/<start>-<end>``, its byte range (so a range cut
    # differently is another chunk, never mistaken for a replay). The prefix is the
    # file's id and generation, or, for the copy of a truncated file, those of the
    # content it carries on (so its chunks in flight stay valid)
    chunk_prefix: str = ""
    copy: bool = False  # the copy of a truncated file: older lines than the file's

    def __post_init__(self) -> None:
        self.chunk_prefix = self.chunk_prefix or f"{self.fid}/{self.generation}"


class LogDirectoryReader:
    """Files matching ``pattern`` in ``directory``, read in ``tail`` or ``spool`` mode."""

    def __init__(
        self,
        directory: str,
        pattern: str,
        mode: str,
        positions: PositionFile,
        *,
        batch_lines: int = 100,
        max_line_bytes: int = 64 * 1024,
        done_suffix: str = ".COMPLETED",
        in_order: bool = False,
        cuts: Mapping[str, int] | None = None,
    ) -> None:
        if mode not in ("tail", "spool"):
            raise ValueError(f"mode must be 'tail' or 'spool', got {mode!r}")
        self.directory = Path(directory)
        self.pattern = pattern
        self.mode = mode
        self.positions = positions
        self.batch_lines = batch_lines
        self.max_line_bytes = max_line_bytes
        self.done_suffix = done_suffix
        self.in_order = in_order
        self.cuts = cuts or {}  # where a chunk starting here was cut before a restart
        self.files: dict[str, _File] = {}
        self.inflight = InFlight()
        self.dirty = False  # positions changed since the last save
        self.unreadable: dict[str, str] = {}  # path -> why it cannot be opened (retried each scan)

    # -- discovery -------------------------------------------------------------------
    def scan(self) -> None:
        """Pick up new files, notice renames, rotations and truncations."""
        found: dict[str, Path] = {}  # fid -> path of every regular file here
        for path in sorted(self.directory.iterdir()):
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            if stat.S_ISREG(st.st_mode):
                found.setdefault(file_id(st), path)
        seen: set[str] = set()
        for fid, path in found.items():
            known = self.files.get(fid)
            if known is not None:
                known.path = str(path)  # follow renames, even to names we would not open
                if self._wanted(path.name):
                    seen.add(fid)
                    known.rotated = False
        for f in list(self.files.values()):
            if f.fid not in seen:
                f.rotated = True
            self._check_truncation(f, found)  # before new files: a copy is not new
            self._retire_if_finished(f)
        for fid, path in found.items():
            if fid in self.files or not self._wanted(path.name):
                continue
            seen.add(fid)
            if not (self.mode == "spool" and self.positions.is_done(fid)):
                self._open(fid, path)
        for fid, entry in list(self.positions.entries.items()):
            if fid not in seen and fid not in self.files and not os.path.exists(entry["path"]):
                self.positions.forget(fid)
                self.dirty = True

    def _wanted(self, name: str) -> bool:
        if name.startswith(".") or not fnmatch.fnmatch(name, self.pattern):
            return False
        return not (self.done_suffix and name.endswith(self.done_suffix))

    def _open(self, fid: str, path: Path) -> None:
        try:
            fh = open(path, "rb")  # noqa: SIM115 - kept open across renames, closed in _retire
        except FileNotFoundError:
            return
        except OSError as err:  # e.g. no read permission: skip it, try again next scan
            self.unreadable[str(path)] = err.strerror or str(err)
            return
        self.unreadable.pop(str(path), None)
        size = os.fstat(fh.fileno()).st_size
        offset = self.positions.offset(fid)
        if offset > size:  # truncated while we were not running
            offset = 0
        self.files[fid] = _File(
            fid, str(path), fh, 0, CommitTracker(offset), LineSplitter(offset, self.max_line_bytes)
        )
        self.files[fid].head = os.pread(fh.fileno(), min(HEAD_BYTES, offset), 0)
        self.positions.record(fid, str(path), offset)
        self.dirty = True

    def _check_truncation(self, f: _File, found: Mapping[str, Path]) -> None:
        """Truncated (copytruncate) if smaller than what was read, or if its first bytes
        changed: a truncated file may have grown past the old position by now. Its
        content so far goes on in logrotate's copy, if found; the file is read anew."""
        fd = f.fh.fileno()
        if os.fstat(fd).st_size >= f.splitter.consumed and os.pread(fd, len(f.head), 0) == f.head:
            return
        copy = self._copy_of(f, found)
        if copy is not None:
            self.files[copy.fid] = copy
            self.positions.record(copy.fid, copy.path, copy.tracker.committed)
        else:  # acks of chunks read before the truncation no longer count
            self.inflight.drop(f"{f.chunk_prefix}/")
        f.generation += 1
        f.chunk_prefix = f"{f.fid}/{f.generation}"
        f.head, f.tail, f.tail_at, f.ready = b"", b"", 0, LineQueue()
        f.tracker = CommitTracker(0)
        f.splitter = LineSplitter(0, self.max_line_bytes)
        self.positions.record(f.fid, f.path, 0)
        self.dirty = True

    def _copy_of(self, f: _File, found: Mapping[str, Path]) -> _File | None:
        """The untracked file of the folder holding f's content as read so far (same
        first bytes, same last bytes read), opened to carry on where f was; None if
        there is none (truncated without a copy, or before anything was read)."""
        if not f.head or not f.tail:
            return None
        for fid, path in found.items():
            if fid in self.files:
                continue
            try:
                fh = open(path, "rb")  # noqa: SIM115 - kept as the copy's, else closed here
            except OSError:
                continue
            fd = fh.fileno()
            if (
                os.fstat(fd).st_size >= f.splitter.consumed
                and os.pread(fd, len(f.head), 0) == f.head
                and os.pread(fd, len(f.tail), f.tail_at) == f.tail
            ):
                return _File(fid, str(path), fh, f.generation, f.tracker, f.splitter, f.ready,
                             head=f.head, chunk_prefix=f.chunk_prefix, copy=True)  # fmt: skip
            fh.close()
        return None

    # -- reading ---------------------------------------------------------------------
    def next_chunk(self, allow_new: bool = True) -> Chunk | None:
        """A failed chunk to send again, else (if allow_new) new lines, else None."""
        chunk = self.inflight.retry()
        if chunk is not None or not allow_new:
            return chunk
        if self.in_order:
            # a rotated file or a copy holds older lines than the one now under its name
            order = sorted(self.files.values(), key=lambda f: (not (f.rotated or f.copy), f.path))
        else:  # the file with most lines ready first: it is being written fastest
            order = sorted(self.files.values(), key=lambda f: len(f.ready), reverse=True)
        for f in order:
            if len(f.ready) < self.batch_lines:
                self._fill(f)
            chunk = self._chunk(f) if f.ready else None
            if chunk is not None:
                return chunk
        return None

    def _fill(self, f: _File) -> None:
        for _ in range(MAX_READS_PER_FILL):  # bounded, so next_tuple never blocks long
            if len(f.ready) >= self.batch_lines:
                return
            start = f.splitter.consumed
            f.fh.seek(start)
            data = f.fh.read(READ_BYTES)
            if start == 0 and data:
                f.head = data[:HEAD_BYTES]
            if data:
                f.tail = data[-HEAD_BYTES:]
                f.tail_at = start + len(data) - len(f.tail)
            if not data:
                f.at_eof = True
                if self.mode == "spool" or f.rotated:
                    f.ready.extend(f.splitter.flush())  # nothing more will be appended
                return
            f.at_eof = False
            f.ready.extend(f.splitter.feed(data))

    def _chunk(self, f: _File) -> Chunk | None:
        """The next chunk of f: cut where it was cut before a restart (see
        :mod:`logstorm.sources.cuts`), if the file still has those lines, else after
        ``batch_lines`` lines or at what was read; None to wait for more reads."""
        start = f.ready.start
        count = f.ready.fitting(min(self.batch_lines, len(f.ready)), CHUNK_CHARS)
        end = self.cuts.get(cut_key(f.chunk_prefix, start))
        if end is not None:
            ends = [line.end for line in itertools.islice(f.ready.lines(), count)]
            if end in ends:
                count = ends.index(end) + 1
            elif ends[-1] < end and not f.at_eof:
                return None  # not read that far yet
        pieces = f.ready.take(count)
        return self.inflight.add(
            Chunk(chunk_id(f.chunk_prefix, start, pieces[-1].end), f.path, pieces)
        )

    # -- acknowledgements --------------------------------------------------------------
    def ack(self, msg_id: str) -> None:
        """Every line of the chunk was processed: commit its range."""
        chunk = self.inflight.pop(msg_id)
        if chunk is None:
            return  # from before a truncation, or acked twice
        f = self._file_of(msg_id)
        assert f is not None  # in flight: its file is open (a truncation drops its chunks)
        f.tracker.ack(chunk.start, chunk.end)
        self.positions.record(f.fid, f.path, f.tracker.committed)
        self.dirty = True
        self._retire_if_finished(f)

    def is_committed(self, cid: str) -> bool:
        """Whether a chunk of this reader's files will never be read again: its file is
        gone or done, or its range is below the committed offset."""
        f = self._file_of(cid)
        if f is None:
            return True
        return parse_chunk_id(cid).start < f.tracker.committed

    def _file_of(self, cid: str) -> _File | None:
        """The open file whose lines cid names (None: gone, done or truncated)."""
        source = parse_chunk_id(cid).source
        return next((f for f in self.files.values() if f.chunk_prefix == source), None)

    def drained(self) -> bool:
        """Spool mode: every file found was read, acknowledged and marked done."""
        return (
            self.mode == "spool"
            and not self.files
            and not self.inflight
            and any(entry.get("done") for entry in self.positions.entries.values())
        )

    def progress(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """(files done, files found) and (bytes committed, bytes found): for a spool-mode
        replay's progress (:mod:`logstorm.monitoring.progress`)."""
        done = [entry["offset"] for entry in self.positions.entries.values() if entry.get("done")]
        open_files = list(self.files.values())
        committed = sum(done) + sum(f.tracker.committed for f in open_files)
        found = sum(done) + sum(os.fstat(f.fh.fileno()).st_size for f in open_files)
        return (len(done), len(done) + len(open_files)), (committed, found)

    def lag(self) -> dict[str, int]:
        """Bytes behind, per open file: its size now minus the offset committed (a file
        done is 0 behind and not listed)."""
        return {
            f.path: max(os.fstat(f.fh.fileno()).st_size - f.tracker.committed, 0)
            for f in self.files.values()
        }

    def reachable(self) -> bool:
        """Files are always there to look at (an unreadable one is in ``unreadable``, and
        the others are read meanwhile)."""
        return True

    def pending(self) -> int:
        """Chunks emitted and not acknowledged yet (failed ones included)."""
        return len(self.inflight)

    def fail(self, msg_id: str) -> None:
        """The chunk's tuple tree failed or timed out: send it again."""
        self.inflight.fail(msg_id)

    def _retire_if_finished(self, f: _File) -> None:
        finished = (
            f.at_eof
            and not f.ready
            and not any(i.startswith(f"{f.chunk_prefix}/") for i in self.inflight)
        )
        if not finished or f.tracker.committed < f.splitter.consumed:
            return
        if os.fstat(f.fh.fileno()).st_size > f.splitter.consumed:
            return  # at_eof is from the last read: the file grew since (rotated, still written)
        if self.mode == "spool":
            done_path = f.path + self.done_suffix if self.done_suffix else f.path
            if done_path != f.path:
                os.replace(f.path, done_path)
            self.positions.record(f.fid, done_path, f.tracker.committed, done=True)
            self.dirty = True
        elif f.rotated:
            self.positions.forget(f.fid)
            self.dirty = True
        else:
            return
        f.fh.close()
        del self.files[f.fid]

    def close(self) -> None:
        """Close every open file (positions are the caller's to save)."""
        for f in self.files.values():
            f.fh.close()
        self.files.clear()
